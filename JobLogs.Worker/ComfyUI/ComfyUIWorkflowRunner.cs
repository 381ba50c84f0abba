using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Worker.Api;
using JobLogs.Worker.Failures;
using JobLogs.Worker.Jobs;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// Runs <c>comfyui.workflow</c> jobs: loads and summarises the workflow, opens the WebSocket, submits the prompt under
/// an id of our own (so a lost answer is looked up, never submitted twice), follows it to its end, and downloads its
/// outputs and uploads them to the Api as the job's assets. A cancel, a deadline or a worker stopping takes the prompt out of ComfyUI's
/// queue, or interrupts it. Every failure ends in a card that says which stage, where, and what ComfyUI said. Secrets the
/// workflow refers to are resolved into the prompt ComfyUI gets, and nowhere else.
/// </summary>
internal sealed class ComfyUIWorkflowRunner(
    ComfyUIClient client, PromptFollower follower, SecretResolver secrets, ApiClient api, IOptions<ComfyUIOptions> options,
    ILogger<ComfyUIWorkflowRunner> logger) : IJobRunner
{
    public string Type => JobTypes.ComfyUIWorkflow;

    public async Task<JsonElement?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        context.Stage = "input";
        var workflow = await Workflow.LoadAsync(context.Job, api, cancellationToken);
        var summary = WorkflowSummary.Of(workflow);
        var data = summary.Data();
        data["source"] = workflow.Source;
        data["overrides"] = workflow.Overrides;
        logger.LogWithData(LogLevel.Information, null, data, "Workflow ({Source}): {Summary}", workflow.Source, summary.Text());
        // Secrets are resolved last before anything goes to ComfyUI, into the prompt it gets and nowhere else: the summary,
        // the log and the record keep the references (workflow and overrides alike, as the overrides are applied by now).
        var prompt = JsonObject.Create(secrets.Resolve(JsonSerializer.SerializeToElement(workflow.Prompt), "workflow"))!;

        var promptId = Guid.NewGuid().ToString("D"); // canonical lowercase UUID: newer ComfyUI accepts no other id
        var clientId = $"joblogs-{Guid.NewGuid():N}";
        context.PromptId = promptId;
        context.Stage = "submit";
        context.Where = client.Where("POST", "prompt");
        // From here on the entries tell ComfyUI's side of the story.
        using var component = logger.BeginComponentScope("comfyui");
        await using var socket = await OpenSocketAsync(clientId, cancellationToken);
        var queued = new ComfyUIPrompt(client, promptId, options.Value.RequestTimeout, logger);
        try
        {
            await queued.SubmitAsync(workflow, prompt, clientId, cancellationToken);
            context.Stage = "execute";
            var history = await follower.FollowAsync(socket, promptId, workflow, context, cancellationToken);
            PromptOutcome.EnsureSucceeded(history, workflow, context, logger);

            context.Stage = "download";
            // Every output is on the Api before the run returns: the report of a success lists only stored assets.
            var assets = new List<Asset>();
            using var folder = OutputFolder.Create(context);
            foreach (var file in history.Outputs)
                assets.Add(await OutputDownload.DownloadAsync(client, api, folder, file, context, cancellationToken));
            return JsonSerializer.SerializeToElement(new WorkflowOutput(promptId, assets), Json.Options);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await queued.StopAsync(context.Stage);
            throw;
        }
        catch (ComfyUICallException failure)
        {
            throw new JobFailedException(Card(failure, context.Stage), failure);
        }
    }

    /// <summary>
    /// Opens the WebSocket before submitting, so no message is missed; null (and a warning) when ComfyUI refuses it. The
    /// connect is a call of its own (the session that follows the prompt is another): its upgrade request carries the trace.
    /// </summary>
    private async Task<ComfyUISocket?> OpenSocketAsync(string clientId, CancellationToken cancellationToken)
    {
        var address = ComfyUISocket.Address(options.Value, clientId);
        var target = address.GetLeftPart(UriPartial.Path);
        var started = Stopwatch.GetTimestamp();
        using var call = JobTelemetry.StartCall(ComfyUIClient.CallTarget, "connect");
        try
        {
            var socket = await ComfyUISocket.ConnectAsync(address, options.Value.Token, options.Value.RequestTimeout, cancellationToken);
            JobTelemetry.EndCall(call, "open", failed: false);
            return socket;
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var status = ex is WebSocketException { InnerException: HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } } ? "unreachable"
                : ex is OperationCanceledException ? "timed out" : "refused";
            logger.LogWithData(LogLevel.Warning, null, new Dictionary<string, object?>
            {
                ["call"] = new Dictionary<string, object?> { ["target"] = target, ["op"] = "connect", ["status"] = status },
            }, "The WebSocket was {Status} ({Reason}); following the prompt by polling /history instead ({DurationMs} ms)",
                status, ex.Message, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            JobTelemetry.EndCall(call, status, failed: true);
            return null;
        }
    }

    private static FailureCard Card(ComfyUICallException failure, string stage) => new()
    {
        Message = failure.Message,
        Type = failure.Failure switch
        {
            CallFailure.Unreachable => FailureTypes.ComfyUIUnreachable,
            CallFailure.Timeout => FailureTypes.ComfyUITimeout,
            CallFailure.Unauthorized => FailureTypes.ComfyUIUnauthorized,
            _ when stage == "download" => FailureTypes.DownloadFailed,
            CallFailure.ServerError => FailureTypes.ComfyUIServerError,
            CallFailure.ConnectionLost => FailureTypes.ComfyUIUnreachable,
            _ => FailureTypes.ComfyUIBadAnswer,
        },
        Component = "comfyui",
        Stage = stage,
        Where = failure.Where,
    };

    /// <summary>A comfyui.workflow job's output: the prompt and the files it put out, as the Api stored them.</summary>
    private sealed record WorkflowOutput(string PromptId, IReadOnlyList<Asset> Assets);
}
