using System.Text.Json;
using System.Text.Json.Nodes;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Worker.Jobs;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// A job's prompt in ComfyUI, under an id of our own: submitted once (a lost answer is looked up by the id, never
/// submitted twice), and, when the run stops, taken out of ComfyUI's queue or interrupted.
/// </summary>
internal sealed partial class ComfyUIPrompt(ComfyUIClient client, string promptId, TimeSpan requestTimeout, ILogger logger)
{
    public async Task SubmitAsync(Workflow workflow, JsonObject prompt, string clientId, CancellationToken cancellationToken)
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
            if (await FindAsync(cancellationToken) is not { } place)
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
    private async Task<string?> FindAsync(CancellationToken cancellationToken)
    {
        var place = await client.QueueAsync(promptId, cancellationToken);
        if (place != ComfyUIClient.QueuePlace.Absent)
            return place == ComfyUIClient.QueuePlace.Running ? "running" : "queued";
        return await client.HistoryAsync(promptId, cancellationToken) is not null ? "finished" : null;
    }

    /// <summary>
    /// The run is stopping (cancel, deadline, worker shutting down): a prompt still waiting is taken out of the queue,
    /// a running one is interrupted; one in neither finished or was lost, and is left alone. Never throws.
    /// </summary>
    public async Task StopAsync(string stage)
    {
        if (stage is "input")
            return;
        using var timeout = new CancellationTokenSource(requestTimeout);
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

    [LoggerMessage(Level = LogLevel.Information, Message = "ComfyUI queued prompt {PromptId} as number {Number}")]
    private static partial void LogQueued(ILogger logger, string promptId, double number);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Reason} Looking prompt {PromptId} up in /queue and /history instead of submitting it again")]
    private static partial void LogLookup(ILogger logger, string reason, string promptId);

    [LoggerMessage(Level = LogLevel.Information, Message = "ComfyUI has prompt {PromptId}: {Place}")]
    private static partial void LogFound(ILogger logger, string promptId, string place);

    [LoggerMessage(Level = LogLevel.Error, Message = "ComfyUI does not know prompt {PromptId}: it was not queued")]
    private static partial void LogNotQueued(ILogger logger, string promptId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping prompt {PromptId}: {Action}")]
    private static partial void LogStopped(ILogger logger, string promptId, string action);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not stop prompt {PromptId} in ComfyUI: {Reason}")]
    private static partial void LogStopFailed(ILogger logger, string promptId, string reason);
}
