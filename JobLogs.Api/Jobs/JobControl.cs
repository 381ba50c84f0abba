using JobLogs.Api.Retention;
using JobLogs.Api.Store;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Api.Jobs;

/// <summary>
/// Cancel and retry (DESIGN.md, Jobs, workers, leases). A queued job is cancelled at once; a running one gets a cancel
/// request that its worker reads in the next heartbeat answer and stops on. A retry queues a finished job again: its
/// next claim is a new attempt in the same log. Each request is kept on the record with where it came from, and logged.
/// </summary>
internal sealed partial class JobControl(IJobStore store, LogRemovals removals, TimeProvider time, ILogger<JobControl> logger)
{
    public async Task<ControlResult> CancelAsync(string projectId, string jobId, RequestOrigin origin, string? reason, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var (found, result) = await store.UpdateAsync(projectId, jobId, job =>
            {
                var request = new JobRequest(JobAction.Cancel, now, job.Attempt, origin, reason);
                return job.Status switch
                {
                    JobStatus.Queued => Save(CanceledInQueue(job with { Requests = [.. job.Requests, request] }, now), ControlOutcome.Done),
                    JobStatus.Running => Save(job with { Requests = [.. job.Requests, request] }, ControlOutcome.Requested),
                    _ => (null, ControlResult.Conflict($"Job {jobId} is already {job.Status.Wire()}: there is nothing to cancel.")),
                };
            }, cancellationToken);
        if (!found)
            return ControlResult.Unknown;

        if (result.Job is { } changed)
            using (logger.BeginJobScope(projectId, jobId, changed.Attempt))
            {
                var data = RequestData(changed.Requests[^1]);
                if (result.Outcome == ControlOutcome.Done)
                    logger.LogWithData(LogLevel.Information, null, data, "Cancel requested by {Origin}: the job was still queued and is canceled", origin.Describe());
                else
                    logger.LogWithData(LogLevel.Information, null, data, "Cancel requested by {Origin}: attempt {Attempt} stops at its worker's next heartbeat", origin.Describe(), changed.Attempt);
            }
        return result;
    }

    public async Task<ControlResult> RetryAsync(string projectId, string jobId, RequestOrigin origin, string? reason, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var (found, result) = await store.UpdateAsync(projectId, jobId, job =>
            {
                if (!job.Status.IsFinished())
                    return (null, ControlResult.Conflict($"Job {jobId} is {job.Status.Wire()}: only a finished job can be retried (cancel it first)."));
                if (removals.IsRemoving(projectId, jobId))
                    return (null, ControlResult.Conflict($"Retention is removing the log of job {jobId} right now; retry it in a moment."));
                var request = new JobRequest(JobAction.Retry, now, job.Attempt, origin, reason);
                // The record describes the attempt to come: the last one's outcome stays in the log (or, when retention
                // removed that log, the next attempt starts a new one).
                return Save(job with
                {
                    Status = JobStatus.Queued, Output = null, Error = null, StartedAt = null, FinishedAt = null, DurationMs = null,
                    Requests = [.. job.Requests, request], LogRemoved = null,
                }, ControlOutcome.Requested);
            }, cancellationToken);
        if (!found)
            return ControlResult.Unknown;

        if (result.Job is { } queued)
            using (logger.BeginJobScope(projectId, jobId, queued.Attempt))
                logger.LogWithData(LogLevel.Information, null, RequestData(queued.Requests[^1]),
                    "Retry requested by {Origin}: the job is queued again for attempt {NextAttempt}", origin.Describe(), queued.Attempt + 1);
        return result;
    }

    private static (JobRecord, ControlResult) Save(JobRecord job, ControlOutcome outcome) => (job, new ControlResult(job, outcome, null));

    private static JobRecord CanceledInQueue(JobRecord job, DateTimeOffset now) => job with
    {
        Status = JobStatus.Canceled,
        FinishedAt = now,
        Error = new FailureCard
        {
            Message = "The job was cancelled before a worker started it.",
            Type = "canceled",
            Component = "backend",
            Stage = "queue",
            Ids = job.FailureIds(),
            Hint = "The job was cancelled on request; retry it if that was a mistake.",
            Rule = "canceled",
        },
    };

    private static Dictionary<string, object?> RequestData(JobRequest request)
    {
        var known = new Dictionary<string, object?>
        {
            ["action"] = request.Action == JobAction.Cancel ? "cancel" : "retry",
            ["by"] = request.Origin.By,
            ["address"] = request.Origin.Address,
            ["forwardedFor"] = request.Origin.ForwardedFor,
            ["userAgent"] = request.Origin.UserAgent,
            ["reason"] = request.Reason,
        };
        return new() { ["request"] = known.Where(p => p.Value is not null).ToDictionary() };
    }
}

internal enum ControlOutcome { Done, Requested, Conflict, Unknown }

/// <summary>The outcome of a cancel or retry: the changed job, or why nothing changed.</summary>
internal sealed record ControlResult(JobRecord? Job, ControlOutcome Outcome, string? Problem)
{
    public static ControlResult Conflict(string problem) => new(null, ControlOutcome.Conflict, problem);
    public static readonly ControlResult Unknown = new(null, ControlOutcome.Unknown, null);
}
