using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Worker.Failures;
using JobLogs.Worker.Jobs;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// Runs <c>comfyui.workflow</c> jobs: loads and summarises the workflow, opens the WebSocket, submits the prompt under
/// an id of our own (so a lost answer is looked up, never submitted twice), follows it to its end, and downloads its
/// outputs into the job's assets folder. A cancel, a deadline or a worker stopping takes the prompt out of ComfyUI's
/// queue, or interrupts it. Every failure ends in a card that says which stage, where, and what ComfyUI said. Secrets the
/// workflow refers to are resolved into the prompt ComfyUI gets, and nowhere else.
/// </summary>
internal sealed partial class ComfyUIWorkflowRunner(
    ComfyUIClient client, PromptFollower follower, SecretResolver secrets, DataLayout layout, IOptions<ComfyUIOptions> options,
    ILogger<ComfyUIWorkflowRunner> logger) : IJobRunner
{
    public string Type => JobTypes.ComfyUIWorkflow;

    public async Task<JsonElement?> RunAsync(JobContext context, CancellationToken cancellationToken)
    {
        context.Stage = "input";
        var workflow = Workflow.Load(context.Job, layout);
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
        try
        {
            await SubmitAsync(workflow, prompt, clientId, promptId, context, cancellationToken);
            context.Stage = "execute";
            var history = await follower.FollowAsync(socket, promptId, workflow, context, cancellationToken);
            Ended(history, workflow, context);

            context.Stage = "download";
            var assets = new List<Asset>();
            foreach (var file in history.Outputs)
                assets.Add(await DownloadAsync(file, context, cancellationToken));
            return JsonSerializer.SerializeToElement(new WorkflowOutput(promptId, assets), Json.Options);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StopPromptAsync(promptId, context.Stage);
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

    private async Task SubmitAsync(Workflow workflow, JsonObject prompt, string clientId, string promptId, JobContext context, CancellationToken cancellationToken)
    {
        JsonElement? refused = null;
        try
        {
            var submitted = await client.SubmitAsync(prompt, clientId, promptId, answer => refused = answer, cancellationToken);
            if (submitted is not null)
            {
                LogQueued(logger, promptId, submitted.Number);
                // ComfyUI runs the valid outputs of a partly invalid workflow: the ones it skips are worth a warning.
                if (PromptErrors.NodeErrorSummaries(submitted.Answer) is { Count: > 0 } skipped)
                    logger.LogWithData(LogLevel.Warning, null, new Dictionary<string, object?> { ["nodeErrors"] = skipped },
                        "ComfyUI skips {Count} output(s) of the workflow that have errors: {First}", skipped.Count, skipped[0]);
                return;
            }
        }
        catch (ComfyUICallException lost) when (lost.Failure is CallFailure.BadAnswer or CallFailure.ConnectionLost or CallFailure.Timeout)
        {
            // The answer was lost, not necessarily the prompt: ComfyUI may have queued it. Look it up by our id.
            LogLookup(logger, lost.Message, promptId);
            if (await FindAsync(promptId, cancellationToken) is not { } place)
            {
                LogNotQueued(logger, promptId);
                throw;
            }
            LogFound(logger, promptId, place);
            return;
        }
        throw new JobFailedException(PromptErrors.FromRejection(refused!.Value, workflow.ClassOf));
    }

    /// <summary>Where ComfyUI has the prompt: queued, running or finished; null when it does not know it.</summary>
    private async Task<string?> FindAsync(string promptId, CancellationToken cancellationToken)
    {
        var place = await client.QueueAsync(promptId, cancellationToken);
        if (place != ComfyUIClient.QueuePlace.Absent)
            return place == ComfyUIClient.QueuePlace.Running ? "running" : "queued";
        return await client.HistoryAsync(promptId, cancellationToken) is not null ? "finished" : null;
    }

    /// <summary>Fails the job unless the prompt succeeded: its execution_error, or an interruption nobody here asked for.</summary>
    private void Ended(PromptHistory history, Workflow workflow, JobContext context)
    {
        if (history.Succeeded)
            return;
        if (history.ExecutionError is { } error)
        {
            var card = PromptErrors.FromExecutionError(error);
            context.Where = card.Where;
            logger.LogWithData(LogLevel.Error, null, PromptErrors.ExecutionErrorData(error), "{Failure}", card.Message);
            throw new JobFailedException(card);
        }
        var where = history.Interrupted is { } interrupted && interrupted.TryGetProperty("node_id", out var node) && node.ValueKind == JsonValueKind.String
            ? $"node {node.GetString()} {workflow.ClassOf(node.GetString()!) ?? "?"}"
            : context.Where;
        var message = history.Interrupted is not null
            ? "The prompt was interrupted in ComfyUI, not by JobLogs."
            : "ComfyUI reports the prompt as failed without saying why (no execution_error in its history).";
        LogEndedBadly(logger, message, where ?? "?");
        throw new JobFailedException(new FailureCard
        {
            Message = message,
            Type = history.Interrupted is not null ? FailureTypes.Interrupted : "execution failed",
            Component = "comfyui", Stage = "execute", Where = where,
        });
    }

    private async Task<Asset> DownloadAsync(OutputFile file, JobContext context, CancellationToken cancellationToken)
    {
        var folder = layout.Assets(context.Job.ProjectId, context.Job.Id);
        var relative = SafeRelative(file);
        var destination = relative is null ? null : Path.GetFullPath(Path.Combine(folder, relative));
        context.Where = $"GET {client.Endpoint("view")}?filename={file.Filename}&subfolder={file.Subfolder}&type={file.Type}";
        if (destination is null || !destination.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new JobFailedException(new FailureCard
            {
                Message = $"ComfyUI named an output '{file.Subfolder}/{file.Filename}' that would leave the job's assets folder; it was not downloaded.",
                Type = FailureTypes.DownloadFailed, Component = "comfyui", Stage = "download", Where = context.Where,
            });
        var downloaded = await client.DownloadAsync(file, destination, cancellationToken);
        return new Asset(layout.Relative(destination)!, downloaded.Bytes, downloaded.ContentType, file.NodeId);
    }

    /// <summary>subfolder/filename as ComfyUI gave them, when both are plain relative names.</summary>
    private static string? SafeRelative(OutputFile file)
    {
        var parts = file.Subfolder.Split('/', StringSplitOptions.RemoveEmptyEntries).Append(file.Filename).ToList();
        return parts.All(p => p is not ("." or "..") && !p.Contains('\\') && !p.Contains('\0') && p.Length > 0)
            ? Path.Combine([.. parts])
            : null;
    }

    /// <summary>
    /// The run is stopping (cancel, deadline, worker shutting down): a prompt still waiting is taken out of the queue,
    /// a running one is interrupted; one in neither finished or was lost, and is left alone. Never throws.
    /// </summary>
    private async Task StopPromptAsync(string promptId, string stage)
    {
        if (stage is "input")
            return;
        using var timeout = new CancellationTokenSource(options.Value.RequestTimeout);
        try
        {
            switch (await client.QueueAsync(promptId, timeout.Token))
            {
                case ComfyUIClient.QueuePlace.Pending:
                    await client.DeleteFromQueueAsync(promptId, timeout.Token);
                    LogStopped(logger, promptId, "deleted it from ComfyUI's queue");
                    break;
                case ComfyUIClient.QueuePlace.Running:
                    await client.InterruptAsync(promptId, timeout.Token);
                    LogStopped(logger, promptId, "interrupted it in ComfyUI");
                    break;
                default:
                    LogStopped(logger, promptId, "found it neither queued nor running in ComfyUI (finished, lost, or never queued)");
                    break;
            }
        }
        catch (Exception ex) when (ex is ComfyUICallException or OperationCanceledException)
        {
            LogStopFailed(logger, promptId, ex.Message);
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

    /// <summary>A comfyui.workflow job's output: the prompt and the files it put out, relative to the data root.</summary>
    private sealed record WorkflowOutput(string PromptId, IReadOnlyList<Asset> Assets);

    private sealed record Asset(string Path, long Bytes, string ContentType, string NodeId);

    [LoggerMessage(Level = LogLevel.Information, Message = "ComfyUI queued prompt {PromptId} as number {Number}")]
    private static partial void LogQueued(ILogger logger, string promptId, double number);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reason} Looking prompt {PromptId} up in /queue and /history instead of submitting it again")]
    private static partial void LogLookup(ILogger logger, string reason, string promptId);

    [LoggerMessage(Level = LogLevel.Information, Message = "ComfyUI has prompt {PromptId}: {Place}")]
    private static partial void LogFound(ILogger logger, string promptId, string place);

    [LoggerMessage(Level = LogLevel.Error, Message = "ComfyUI does not know prompt {PromptId}: it was not queued")]
    private static partial void LogNotQueued(ILogger logger, string promptId);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Failure} (at {Where})")]
    private static partial void LogEndedBadly(ILogger logger, string failure, string where);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping prompt {PromptId}: {Action}")]
    private static partial void LogStopped(ILogger logger, string promptId, string action);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not stop prompt {PromptId} in ComfyUI: {Reason}")]
    private static partial void LogStopFailed(ILogger logger, string promptId, string reason);
}
