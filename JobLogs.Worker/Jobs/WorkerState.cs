using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace JobLogs.Worker.Jobs;

/// <summary>What the claim loop is doing, exposed as the worker's health: unhealthy while it cannot reach the Api.</summary>
internal sealed class WorkerState(TimeProvider time) : IHealthCheck
{
    private DateTimeOffset? _lastPoll;
    private string? _pollProblem;
    private int _running;

    public int Running => Volatile.Read(ref _running);

    public void Polled()
    {
        _lastPoll = time.GetUtcNow();
        _pollProblem = null;
    }

    /// <summary>True when this failure starts a run of failures (so it is logged once, not every poll).</summary>
    public bool PollFailed(string problem)
    {
        var first = _pollProblem is null;
        _pollProblem = problem;
        return first;
    }

    public void RunStarted() => Interlocked.Increment(ref _running);
    public void RunEnded() => Interlocked.Decrement(ref _running);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["running"] = Running, ["lastPoll"] = _lastPoll?.ToString("O") ?? "never" };
        return Task.FromResult(_pollProblem is { } problem
            ? HealthCheckResult.Degraded($"Cannot claim jobs from the Api: {problem}", data: data)
            : HealthCheckResult.Healthy($"{Running} job(s) running", data));
    }
}
