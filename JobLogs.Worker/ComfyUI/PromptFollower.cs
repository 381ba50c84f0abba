using System.Diagnostics;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Worker.Failures;
using JobLogs.Worker.Jobs;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// Follows a submitted prompt to its end. The WebSocket, when there is one, gives the progress as it happens (only
/// messages about this prompt); the end itself is always read from /history/{id}, which is also the fallback when the
/// socket was refused, breaks, or stays silent. A prompt that is in neither the queue nor the history is lost.
/// Each session is one log entry and one span: the socket session, and the polling of /history; the HTTP checks of a
/// session are spans under it.
/// </summary>
internal sealed partial class PromptFollower(ComfyUIClient client, IOptions<ComfyUIOptions> options, TimeProvider time, ILogger<PromptFollower> logger)
{
    private ComfyUIOptions Settings => options.Value;

    public async Task<PromptHistory> FollowAsync(ComfyUISocket? socket, string promptId, Workflow workflow, JobContext context, CancellationToken cancellationToken)
    {
        context.Where = $"prompt {promptId}";
        JsonElement? done = null;
        if (socket is not null)
            done = await WatchAsync(socket, promptId, workflow, context, cancellationToken);
        return PromptHistory.Parse(done ?? await PollAsync(promptId, context, cancellationToken));
    }

    /// <summary>Reads the socket until the prompt ends (null: read the end from /history) or a check over HTTP found its end.</summary>
    private async Task<JsonElement?> WatchAsync(ComfyUISocket socket, string promptId, Workflow workflow, JobContext context, CancellationToken cancellationToken)
    {
        using var call = JobTelemetry.StartCall(ComfyUIClient.CallTarget, "follow");
        try
        {
            return await WatchAsync(socket, promptId, workflow, context, call, cancellationToken);
        }
        catch (Exception ex)
        {
            EndFailed(call, ex, cancellationToken);
            throw;
        }
    }

    private async Task<JsonElement?> WatchAsync(
        ComfyUISocket socket, string promptId, Workflow workflow, JobContext context, Activity? call, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var progress = new ProgressLog(Settings.ProgressLogInterval, time);
        var (messages, checks) = (0, 0);
        var outage = new Outage();
        // Silence is counted from the last message about this prompt: other clients' messages do not say it is alive.
        var lastHeard = time.GetTimestamp();
        while (true)
        {
            var wait = Settings.StallTimeout - time.GetElapsedTime(lastHeard);
            var read = wait > TimeSpan.Zero ? await socket.NextAsync(wait, cancellationToken) : new ComfyUISocket.Silent();
            switch (read)
            {
                case ComfyUISocket.Message { Value: var message } when PromptMessages.About(message, promptId) is { } data:
                    messages++;
                    lastHeard = time.GetTimestamp();
                    var type = message.GetProperty("type").GetString();
                    if (type is "execution_success" or "execution_error" or "execution_interrupted"
                        || type == "executing" && data.TryGetProperty("node", out var node) && node.ValueKind == JsonValueKind.Null)
                    {
                        LogSession(call, socket, started, messages, checks, "done", LogLevel.Information);
                        return null;
                    }
                    PromptMessages.Show(logger, type, data, workflow, context, progress);
                    break;
                case ComfyUISocket.Silent:
                    // A socket can stall while HTTP works: ask ComfyUI whether the prompt is still there.
                    checks++;
                    lastHeard = time.GetTimestamp();
                    if (await CheckAsync(promptId, context, outage, cancellationToken) is { } entry)
                    {
                        LogSession(call, socket, started, messages, checks, "silent; found the prompt finished", LogLevel.Warning);
                        return entry;
                    }
                    break;
                case ComfyUISocket.Closed { Reason: var reason }:
                    LogSession(call, socket, started, messages, checks, $"{reason} before the prompt finished; polling /history instead", LogLevel.Warning, failed: true);
                    return null;
            }
        }
    }

    private async Task<JsonElement> PollAsync(string promptId, JobContext context, CancellationToken cancellationToken)
    {
        using var call = JobTelemetry.StartCall(ComfyUIClient.CallTarget, "poll");
        try
        {
            return await PollAsync(promptId, context, call, cancellationToken);
        }
        catch (Exception ex)
        {
            EndFailed(call, ex, cancellationToken);
            throw;
        }
    }

    private async Task<JsonElement> PollAsync(string promptId, JobContext context, Activity? call, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var polls = 0;
        var outage = new Outage();
        while (true)
        {
            polls++;
            if (await CheckAsync(promptId, context, outage, cancellationToken) is { } entry)
            {
                LogPolls(call, promptId, started, polls, "found it finished", LogLevel.Information);
                return entry;
            }
            await Task.Delay(Settings.PollInterval, time, cancellationToken);
        }
    }

    /// <summary>Ends the span of a session that a failed check, a lost prompt or a stopped run cut short.</summary>
    private static void EndFailed(Activity? call, Exception ex, CancellationToken cancellationToken)
    {
        if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            JobTelemetry.EndCall(call, "canceled", failed: false);
        else
            JobTelemetry.EndCall(call, ex.Message, failed: true);
    }

    /// <summary>When ComfyUI stopped answering (it may be restarting); null while it answers.</summary>
    private sealed class Outage
    {
        public long? Since { get; set; }
    }

    /// <summary>
    /// The prompt's history entry once it finished; null while it is queued or running, or while ComfyUI is unreachable
    /// for less than <see cref="ComfyUIOptions.ReconnectTimeout"/>. History, then queue, then history again: a prompt
    /// leaves the queue and enters the history in one step, so one found in neither on the second look is really gone.
    /// </summary>
    private async Task<JsonElement?> CheckAsync(string promptId, JobContext context, Outage outage, CancellationToken cancellationToken)
    {
        try
        {
            if (await client.HistoryAsync(promptId, cancellationToken, log: false) is { } entry)
                return entry;
            outage.Since = null;
            if (await client.QueueAsync(promptId, cancellationToken, log: false) != ComfyUIClient.QueuePlace.Absent)
                return null;
            if (await client.HistoryAsync(promptId, cancellationToken, log: false) is { } late)
                return late;
        }
        catch (ComfyUICallException ex)
        {
            if (ex.Failure is CallFailure.Unreachable or CallFailure.ConnectionLost or CallFailure.Timeout or CallFailure.ServerError)
            {
                outage.Since ??= time.GetTimestamp();
                if (time.GetElapsedTime(outage.Since.Value) < Settings.ReconnectTimeout)
                    return null;
            }
            // Checks are summarised per session; the one that ends the job gets an entry of its own.
            using (logger.BeginComponentScope("comfyui"))
                logger.LogWithData(LogLevel.Error, null, new Dictionary<string, object?>
                {
                    ["call"] = new Dictionary<string, object?> { ["target"] = ex.Target, ["op"] = "check", ["status"] = ex.Status?.ToString() ?? ex.Failure.ToString() },
                }, "{Failure}", ex.Message);
            throw;
        }
        using (logger.BeginComponentScope("comfyui"))
            LogLost(logger, promptId, context.Where ?? $"prompt {promptId}");
        throw new JobFailedException(new FailureCard
        {
            Message = $"ComfyUI no longer knows prompt {promptId}: it is neither queued nor in its history (ComfyUI restarted or crashed while running it, or its queue was cleared).",
            Type = FailureTypes.PromptLost, Component = "comfyui", Stage = "execute", Where = context.Where,
        });
    }

    /// <summary>The session's entry, then the end of its span with the same outcome.</summary>
    private void LogSession(Activity? call, ComfyUISocket socket, long started, int messages, int checks, string outcome, LogLevel level, bool failed = false)
    {
        using var component = logger.BeginComponentScope("comfyui");
        logger.LogWithData(level, null, new Dictionary<string, object?>
        {
            ["call"] = new Dictionary<string, object?> { ["target"] = socket.Endpoint, ["op"] = "follow", ["status"] = outcome },
            ["checks"] = checks,
        }, "WebSocket session: {Messages} messages about the prompt; {Outcome} ({DurationMs} ms)", messages, outcome, (long)time.GetElapsedTime(started).TotalMilliseconds);
        JobTelemetry.EndCall(call, outcome, failed);
    }

    private void LogPolls(Activity? call, string promptId, long started, int polls, string outcome, LogLevel level)
    {
        using var component = logger.BeginComponentScope("comfyui");
        logger.LogWithData(level, null, new Dictionary<string, object?>
        {
            ["call"] = new Dictionary<string, object?> { ["target"] = client.Endpoint($"history/{promptId}"), ["op"] = "poll", ["status"] = outcome },
        }, "Polled /history: {Outcome} (polls: {Polls}, {DurationMs} ms)", outcome, polls, (long)time.GetElapsedTime(started).TotalMilliseconds);
        JobTelemetry.EndCall(call, outcome, failed: false);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Prompt {PromptId} is lost: ComfyUI has it neither queued nor in its history (last seen at {Where})")]
    private static partial void LogLost(ILogger logger, string promptId, string where);
}
