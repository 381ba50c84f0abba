using System.Text.Json;
using JobLogs.Worker.Api;
using JobLogs.Worker.Spool;
using JobLogs.Workers;

namespace JobLogs.Worker.Jobs;

/// <summary>
/// Sends an attempt's report until the Api takes it (2xx) or refuses the lease (409). While the Api waits for the
/// attempt's log (a 409 naming the seq it expects) the spool is shipped and the report sent again; while the Api cannot be
/// reached it is sent again with a growing wait until <c>giveUpAt</c>: the Api ends the attempt by itself after the lease's
/// expiry plus grace, and a report that reaches it later is refused, so one attempt is never reported twice.
/// </summary>
internal sealed partial class ReportSender(ApiClient api, WorkerSpool spool, TimeProvider time, ILogger<ReportSender> logger)
{
    private static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ShipWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Sends <paramref name="report"/>; <paramref name="giveUpAt"/> is asked again before each retry (it moves at shutdown). Call it
    /// inside the attempt's job scope: its entries belong to the job's log.
    /// </summary>
    public async Task SendAsync(
        string projectId, string jobId, int attempt, AttemptSpool? attemptSpool, Report report, Func<DateTimeOffset> giveUpAt)
    {
        // Most reports need no second call: the lines they name are shipped first.
        if (attemptSpool is not null && report.LastSeq is { } lastSeq)
            await spool.WaitShippedAsync(attemptSpool, lastSeq, ShipWait, CancellationToken.None);
        var retry = TimeSpan.FromMilliseconds(200);
        while (true)
        {
            string reason;
            try
            {
                // Past shutdown the report still gets a short chance: it is what tells the Api the attempt ended.
                using var call = new CancellationTokenSource(ReportTimeout, time);
                var reply = await api.ReportAsync(projectId, jobId, report, call.Token);
                if (reply.LeaseLost)
                    LogReportRefused(logger, attempt, reply.Conflict!);
                if (!reply.LogBehind)
                    return;
                if (attemptSpool?.Refused is not null)
                {
                    // The Api will never hold those lines: the report stops waiting for them.
                    report = report with { LastSeq = null };
                    continue;
                }
                reason = reply.Conflict!;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or JsonException)
            {
                reason = ex.Message;
            }
            var left = giveUpAt() - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                LogReportGaveUp(logger, reason);
                return;
            }
            var wait = retry < left ? retry : left;
            LogReportRetry(logger, reason, wait.TotalMilliseconds);
            if (attemptSpool is not null && report.LastSeq is { } seq)
                await spool.WaitShippedAsync(attemptSpool, seq, wait, CancellationToken.None);
            else
                await Task.Delay(wait, time, CancellationToken.None);
            retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, MaxRetry.Ticks));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Api refused the report of attempt {Attempt}: {Reason} This run stops here; the job's record says how the attempt ended")]
    private static partial void LogReportRefused(ILogger logger, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not send the report ({Reason}); sending it again in {RetryMs:0} ms")]
    private static partial void LogReportRetry(ILogger logger, string reason, double retryMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Gave up sending the report: the Api could not take it before the lease ran out ({Reason}); the Api ends the attempt by itself")]
    private static partial void LogReportGaveUp(ILogger logger, string reason);
}
