using JobLogs.Api.Jobs;

namespace JobLogs.Api.Workers;

internal sealed partial class Leases
{
    /// <summary>
    /// The job when <paramref name="token"/> is its live lease, for calls that change nothing of the record (an upload
    /// of an output): a conflict when another attempt or none holds it, unknown when there is no such job.
    /// </summary>
    public async Task<LeaseAnswer<JobRecord>> HolderAsync(string projectId, string jobId, string? token, CancellationToken cancellationToken = default)
    {
        if (await store.GetAsync(projectId, jobId, cancellationToken) is not { } job)
            return LeaseAnswer<JobRecord>.Unknown;
        var now = time.GetUtcNow();
        return HoldsLiveLease(job, token, now) ? LeaseAnswer<JobRecord>.Ok(job) : LeaseAnswer<JobRecord>.Conflict(ConflictReason(job, now));
    }
}
