using JobLogs.Worker.Api;
using JobLogs.Workers;

namespace JobLogs.Worker.Jobs;

/// <summary>
/// Renews a run's lease while it runs. The run's token is cancelled when the Api says the lease is gone (409),
/// when a cancel was requested, or when the lease could not be renewed before it expires minus a margin — so
/// a worker cut off from the Api stops by itself before the Api gives the job to anyone else.
/// </summary>
internal sealed partial class LeaseKeeper : IAsyncDisposable
{
    private readonly ApiClient _api;
    private readonly Claim _claim;
    private readonly Func<Heartbeat> _heartbeat;
    private readonly TimeSpan _margin;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LeaseKeeper(ApiClient api, Claim claim, Func<Heartbeat> heartbeat, TimeSpan margin, TimeProvider time, ILogger logger)
    {
        _api = api;
        _claim = claim;
        _heartbeat = heartbeat;
        _margin = margin;
        _time = time;
        _logger = logger;
        ExpiresAt = claim.LeaseExpiresAt;
        _loop = Task.Run(RenewAsync);
    }

    /// <summary>Cancelled when the run must stop: see <see cref="LostReason"/> and <see cref="CancelRequested"/>.</summary>
    public CancellationToken Token => _lost.Token;
    public DateTimeOffset ExpiresAt { get; private set; }
    /// <summary>Why the lease no longer holds the job; null while it does.</summary>
    public string? LostReason { get; private set; }
    public bool CancelRequested { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _lost.Dispose();
        _stop.Dispose();
    }

    private async Task RenewAsync()
    {
        var interval = TimeSpan.FromTicks(Math.Max(TimeSpan.FromMilliseconds(100).Ticks, (ExpiresAt - _time.GetUtcNow()).Ticks / 3));
        var wait = interval;
        while (!_stop.IsCancellationRequested)
        {
            var deadline = ExpiresAt - _margin;
            var untilDeadline = deadline - _time.GetUtcNow();
            try
            {
                await Task.Delay(untilDeadline < wait ? (untilDeadline > TimeSpan.Zero ? untilDeadline : TimeSpan.Zero) : wait, _time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (_time.GetUtcNow() >= deadline)
            {
                await Lose($"the lease could not be renewed before {ExpiresAt:u} (minus a margin of {_margin.TotalSeconds:0.#} s)");
                return;
            }
            try
            {
                // A heartbeat that hangs (a network that drops packets rather than refusing them) must not keep the run
                // going past its deadline: each call gets only the time left until then.
                var left = deadline - _time.GetUtcNow();
                using var timeLeft = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time);
                using var call = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token, timeLeft.Token);
                var reply = await _api.HeartbeatAsync(_claim.Job, _heartbeat(), call.Token);
                if (reply.LeaseLost)
                {
                    await Lose($"the Api ended the lease: {reply.Conflict}");
                    return;
                }
                ExpiresAt = reply.Value!.LeaseExpiresAt;
                wait = interval;
                if (reply.Value.CancelRequested && !CancelRequested)
                {
                    CancelRequested = true;
                    LogCancelRequested(_logger);
                    await _lost.CancelAsync();
                    // Keep renewing: the run still reports its cancellation with this lease.
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException)
            {
                LogRenewFailed(_logger, ex.Message, ExpiresAt);
                wait = TimeSpan.FromTicks(Math.Min(interval.Ticks, TimeSpan.FromSeconds(1).Ticks));
            }
        }
    }

    private async Task Lose(string reason)
    {
        LostReason = reason;
        LogLeaseLost(_logger, reason);
        await _lost.CancelAsync();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not renew the lease ({Reason}); retrying until it expires at {LeaseExpiresAt:u}")]
    private static partial void LogRenewFailed(ILogger logger, string reason, DateTimeOffset leaseExpiresAt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stopping the run: {Reason}")]
    private static partial void LogLeaseLost(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cancel requested: stopping the run")]
    private static partial void LogCancelRequested(ILogger logger);
}
