using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JobLogs.ServiceDefaults.Logging.Shipping;

/// <summary>
/// Sends the <see cref="ShippingQueue"/> to the Api every <see cref="Interval"/>, one batch at a time and in order. While
/// the Api is away the lines wait (capped backoff, one warning); a batch the Api refuses for good is dropped with a
/// warning, once per reason until a batch is stored again, so that warning (itself shipped) cannot feed a loop.
/// </summary>
public sealed partial class LogShipper(ShippingQueue queue, LogUplink uplink, ServiceIdentity identity, TimeProvider time, ILogger<LogShipper> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(5);
    // At stop, what is left (the stop entries among it) gets this long.
    private static readonly TimeSpan FinalFlush = TimeSpan.FromSeconds(3);

    private TimeSpan _retry;
    private string? _lastRefusal;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_retry > TimeSpan.Zero ? _retry : Interval, time, stoppingToken);
                await RoundAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        using var flush = new CancellationTokenSource(FinalFlush, time);
        try
        {
            while (!queue.IsEmpty && await RoundAsync(flush.Token))
            {
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Sends until the queue is empty or the Api is away; false when it is away.</summary>
    private async Task<bool> RoundAsync(CancellationToken cancellationToken)
    {
        if (queue.TakeDropped() is { Lines: > 0 } dropped)
            LogDropped(logger, dropped.Lines, dropped.Bytes, ShippingQueue.MaxBytes / (1024 * 1024));
        while (queue.Next() is { } batch)
        {
            UplinkAnswer answer;
            try
            {
                using var call = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                call.CancelAfter(CallTimeout);
                answer = await uplink.SendAsync(identity.Service, batch, call.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                answer = UplinkAnswer.Unavailable(ex.Message);
            }
            if (answer.UnavailableBecause is { } away)
            {
                if (_retry == TimeSpan.Zero)
                    LogAway(logger, away);
                _retry = TimeSpan.FromTicks(Math.Clamp(_retry.Ticks * 2, Interval.Ticks, MaxRetry.Ticks));
                return false;
            }
            if (_retry > TimeSpan.Zero)
                LogBack(logger);
            _retry = TimeSpan.Zero;
            if (answer.RefusedBecause is { } refused && refused != _lastRefusal)
                LogRefused(logger, batch.Count, batch.Job is { } job ? $"job {job.JobId}'s log" : "the runtime log", refused);
            _lastRefusal = answer.RefusedBecause;
            queue.Settled(batch);
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot ship log entries to the Api ({Reason}); they wait in memory and are sent when it answers")]
    private static partial void LogAway(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The Api answers again; waiting log entries are being shipped")]
    private static partial void LogBack(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Api refused {Count} log entries for {Log} ({Reason}); they are dropped, this instance's local runtime log keeps its own")]
    private static partial void LogRefused(ILogger logger, int count, string log, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Lines} log entries ({Bytes} bytes) were not shipped to the Api: more than {CapMiB} MiB waited for it; this instance's local runtime log keeps its own")]
    private static partial void LogDropped(ILogger logger, long lines, long bytes, long capMiB);
}
