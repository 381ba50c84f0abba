using JobLogs.Api.Jobs;
using JobLogs.Api.Store;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Logging;
using Microsoft.Extensions.Options;
using static JobLogs.Api.Workers.AttemptRecords;

namespace JobLogs.Api.Workers;

/// <summary>
/// Ends the attempts whose worker stopped renewing its lease: failed as "worker lost" (or re-queued, when so configured),
/// with an error entry in the job's log that the failure card points at.
/// </summary>
internal sealed partial class LostAttempts(
    IJobStore store, JobLogTally tally, IOptions<LeaseOptions> options, TimeProvider time, ILogger<LostAttempts> logger)
{
    private LeaseOptions Options => options.Value;

    /// <summary>Ends every attempt whose lease expired more than the grace period ago; returns how many.</summary>
    public async Task<int> EndAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var ended = 0;
        foreach (var running in (await store.QueueAsync(cancellationToken)).Running)
        {
            if (running.Lease is not { } lease || lease.ExpiresAt + Options.Grace > now)
                continue;
            var key = new JobKey(running.ProjectId, running.Id, running.Attempt);
            var attemptTally = tally.Watch(key);
            // The attempt's story ends in its own trace, under the span the claim started.
            using (AttemptTrace.Resume(running, "worker lost"))
            using (logger.BeginJobScope(running.ProjectId, running.Id, running.Attempt))
                LogWorkerLost(logger, lease.WorkerId, lease.ExpiresAt, Options.RequeueLost ? "re-queued" : "failed");
            tally.Stop(key);
            var update = await store.UpdateAsync(running.ProjectId, running.Id, job =>
                job.Lease?.Token == lease.Token ? (Lost(job, lease, now, attemptTally.FirstErrorOffset), true) : (null, false),
                cancellationToken);
            if (update.Result)
                ended++;
        }
        return ended;
    }

    private JobRecord Lost(JobRecord job, LeaseRecord lease, DateTimeOffset now, long? logOffset)
    {
        var attempts = WithCurrent(job, a => a with { FinishedAt = now, Status = JobStatus.Failed, LeaseLost = true, Counts = (a.Counts ?? new(0, 0)) + new LogCounts(1, 0) });
        var lost = job with { Lease = null, Attempts = attempts };
        lost = lost with { Counts = SumCounts(lost) };
        if (Options.RequeueLost)
            return lost with { Status = JobStatus.Queued };
        return lost with
        {
            Status = JobStatus.Failed, FinishedAt = now, DurationMs = Duration(job.StartedAt, now),
            Error = new FailureCard
            {
                Message = $"Worker {lease.WorkerId} stopped renewing its lease; its lease expired at {lease.ExpiresAt:u}.",
                Type = "worker lost",
                Component = "backend",
                Stage = "run",
                Where = $"worker {lease.WorkerId}",
                Ids = job.FailureIds(),
                Hint = "The worker crashed or lost contact with the Api. Check the worker's service log (System page) around that time, then retry the job.",
                Rule = "worker-lost",
                LogOffset = logOffset,
            },
        };
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId} stopped renewing its lease (expired {LeaseExpiresAt:u}); the attempt ends as worker lost and the job is {Outcome}")]
    private static partial void LogWorkerLost(ILogger logger, string workerId, DateTimeOffset leaseExpiresAt, string outcome);
}
