using JobLogs.Worker.Api;

namespace JobLogs.Worker.Spool;

/// <summary>
/// Ships every spool's lines to the Api in batches: every <see cref="Interval"/>, or at once when a spool holds a batch's
/// worth or a run waits for its lines. The Api stores only seqs above the highest it holds, so a batch sent again (its
/// answer lost) costs nothing; while the Api is away a spool waits with a capped backoff and keeps its lines on disk.
/// A spool whose run ended is removed once the Api holds all of it; one the Api refuses for good (job or log gone, a
/// token of no attempt) is removed with a warning.
/// </summary>
internal sealed partial class SpoolShipper(WorkerSpool spool, ApiClient api, TimeProvider time, ILogger<SpoolShipper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(2);
    // At stop, what is left gets this long; the rest stays in the spool for the next start.
    private static readonly TimeSpan FinalFlush = TimeSpan.FromSeconds(5);

    private readonly Dictionary<AttemptSpool, (DateTimeOffset At, TimeSpan Wait)> _retry = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await spool.WaitForWorkAsync(Interval, stoppingToken);
                await RoundAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        using var flush = new CancellationTokenSource(FinalFlush, time);
        try
        {
            while (spool.Open.Any(s => s.UnshippedBytes > 0) && !flush.IsCancellationRequested)
            {
                await RoundAsync(flush.Token);
                if (spool.Open.Any(s => s.UnshippedBytes > 0))
                    await Task.Delay(FirstRetry, time, flush.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        if (spool.Open.Any(s => s.UnshippedBytes > 0))
            LogLeftInSpool(logger, spool.Open.Count(s => s.UnshippedBytes > 0));
    }

    private async Task RoundAsync(CancellationToken cancellationToken)
    {
        foreach (var attempt in spool.Open.ToList())
        {
            if (_retry.TryGetValue(attempt, out var retry) && retry.At > time.GetUtcNow())
                continue;
            try
            {
                await ShipAsync(attempt, cancellationToken);
                _retry.Remove(attempt);
            }
            catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException
                || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                var wait = retry.Wait == default ? FirstRetry : TimeSpan.FromTicks(Math.Min(retry.Wait.Ticks * 2, MaxRetry.Ticks));
                if (retry.Wait == default)
                    LogShipRetry(logger, attempt.Key.ProjectId, attempt.Key.JobId, attempt.Key.Attempt, ex.Message);
                _retry[attempt] = (time.GetUtcNow() + wait, wait);
            }
            catch (IOException ex)
            {
                LogSpoolUnreadable(logger, attempt.Key.ProjectId, attempt.Key.JobId, attempt.Key.Attempt, ex.Message);
                Remove(attempt);
            }
        }
        spool.RoundDone();
    }

    private async Task ShipAsync(AttemptSpool attempt, CancellationToken cancellationToken)
    {
        while (attempt.NextBatch(WorkerSpool.BatchBytes) is { } batch)
        {
            using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            call.CancelAfter(CallTimeout);
            var header = attempt.Header;
            var reply = await api.ShipLogAsync(header.ProjectId, header.JobId, header.LeaseToken, batch.Lines, call.Token);
            if (reply.Seq is { } seq)
                attempt.Shipped(batch, seq);
            else if (reply.ExpectedSeq is { } expected)
            {
                // The Api holds more than this worker heard (an answer was lost): skip what it has. Less can only mean
                // lines it lost itself, which no spool can give back.
                if (!attempt.SkipTo(expected))
                {
                    LogGap(logger, header.ProjectId, header.JobId, header.Attempt, expected);
                    Remove(attempt);
                    return;
                }
            }
            else
            {
                LogRefused(logger, header.ProjectId, header.JobId, header.Attempt, reply.Refused!);
                attempt.Refused = reply.Refused;
                Remove(attempt);
                return;
            }
        }
        if (attempt.Ended && attempt.UnshippedBytes == 0)
            Remove(attempt);
    }

    private void Remove(AttemptSpool attempt)
    {
        attempt.Remove();
        spool.Forget(attempt);
        _retry.Remove(attempt);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot ship the log of job {ProjectId}/{JobId} attempt {Attempt} to the Api ({Reason}); its lines wait in the spool and are sent again")]
    private static partial void LogShipRetry(ILogger logger, string projectId, string jobId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Api refuses the log of job {ProjectId}/{JobId} attempt {Attempt} ({Reason}); its spool is dropped")]
    private static partial void LogRefused(ILogger logger, string projectId, string jobId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Api expects seq {ExpectedSeq} of job {ProjectId}/{JobId} attempt {Attempt}, which this spool no longer holds; its spool is dropped")]
    private static partial void LogGap(ILogger logger, string projectId, string jobId, int attempt, long expectedSeq);

    [LoggerMessage(Level = LogLevel.Error, Message = "The spool of job {ProjectId}/{JobId} attempt {Attempt} cannot be read ({Reason}); it is dropped")]
    private static partial void LogSpoolUnreadable(ILogger logger, string projectId, string jobId, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping with the lines of {Count} attempts not yet shipped: they stay in the spool and ship at the next start")]
    private static partial void LogLeftInSpool(ILogger logger, int count);
}
