using JobLogs.Api.Jobs;

namespace JobLogs.Api.Store;

/// <summary>
/// Job records: each job with its attempts and its lease, and the project events their changes tell of. A change is a
/// compare-and-set on the record's <see cref="JobRecord.Revision"/> (<see cref="JobStoreUpdates.UpdateAsync"/> retries it),
/// so the code that decides a change never runs under the store's lock and never does I/O there. Records are checked
/// against schemas/job.schema.json before they are saved.
/// </summary>
internal interface IJobStore
{
    /// <summary>Reads what is stored before the Api serves anything; says how many jobs it holds and where.</summary>
    Task<StoreOpened> OpenAsync(CancellationToken cancellationToken = default);

    Task<JobRecord?> GetAsync(string projectId, string jobId, CancellationToken cancellationToken = default);

    /// <summary>The jobs <paramref name="query"/> asks for, newest first, one page of them, and how many match in all.</summary>
    Task<JobListing> ListAsync(JobQuery query, CancellationToken cancellationToken = default);

    /// <summary>The ids of the projects that have jobs, in ordinal order.</summary>
    Task<IReadOnlyList<string>> ProjectsAsync(CancellationToken cancellationToken = default);

    /// <summary>How many jobs wait, since when the oldest has, and the running ones.</summary>
    Task<QueueState> QueueAsync(CancellationToken cancellationToken = default);

    /// <summary>Saves a new job; its project event (job.created) is written with it. Throws when the job exists.</summary>
    Task AddAsync(JobRecord record, CancellationToken cancellationToken = default);

    /// <summary>
    /// Saves <paramref name="next"/> in place of <paramref name="expected"/> if the stored record is still that revision;
    /// false (nothing saved) when another change came first. The project event the change tells of is written with it.
    /// </summary>
    Task<bool> ReplaceAsync(JobRecord expected, JobRecord next, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims the job that has waited longest among the queued jobs of <paramref name="types"/> (null or empty: any):
    /// saves what <paramref name="claim"/> makes of it: a function that only computes, called once for the job claimed.
    /// </summary>
    Task<JobRecord?> ClaimAsync(IReadOnlyCollection<string>? types, Func<JobRecord, JobRecord> claim, CancellationToken cancellationToken = default);
}

internal sealed record StoreOpened(int Jobs, int Queued, string Where);

internal sealed record JobListing(IReadOnlyList<JobRecord> Page, int Total);

internal sealed record QueueState(int Queued, DateTimeOffset? OldestQueuedAt, IReadOnlyList<JobRecord> Running);

/// <summary>A job that cannot be added: one with its ids exists.</summary>
internal sealed class JobExistsException(string projectId, string jobId)
    : InvalidOperationException($"Job {projectId}/{jobId} already exists.");
