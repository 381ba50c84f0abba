using JobLogs.Api.Jobs;
using JobLogs.Jobs;

namespace JobLogs.Api.Store;

/// <summary>
/// Which jobs to list, as data a store can turn into its own query (an index walk, a SQL WHERE). Every condition given
/// must hold; none given lists every job. <see cref="Matches"/> is the one meaning of the conditions.
/// </summary>
internal sealed record JobQuery
{
    /// <summary>One project's jobs; null: every project's.</summary>
    public string? ProjectId { get; init; }
    public IReadOnlySet<JobStatus>? Statuses { get; init; }
    public IReadOnlySet<string>? Types { get; init; }
    /// <summary>Part of the job's id, spec id or asset id, in any case.</summary>
    public string? IdText { get; init; }
    /// <summary>Jobs that name one of these assets.</summary>
    public IReadOnlySet<string>? AssetIds { get; init; }
    /// <summary>Jobs that finished (or, unfinished, were created) at or after this time.</summary>
    public DateTimeOffset? FinishedSince { get; init; }
    public int Skip { get; init; }
    public int Take { get; init; } = int.MaxValue;

    public static JobQuery Project(string projectId) => new() { ProjectId = projectId };

    /// <summary>True when no condition narrows the project's jobs: a page of them costs its own length.</summary>
    public bool IsProjectPage => ProjectId is not null && Statuses is null && Types is null && string.IsNullOrEmpty(IdText)
        && AssetIds is null && FinishedSince is null;

    public bool Matches(JobRecord job) =>
        (ProjectId is null || job.ProjectId == ProjectId)
        && (Statuses is null || Statuses.Contains(job.Status))
        && (Types is null || Types.Contains(job.Type))
        && (string.IsNullOrEmpty(IdText) || Contains(job.Id) || Contains(job.SpecId) || Contains(job.AssetId))
        && (AssetIds is null || job.AssetId is { } assetId && AssetIds.Contains(assetId))
        && (FinishedSince is null || (job.FinishedAt ?? job.CreatedAt) >= FinishedSince);

    private bool Contains(string? id) => id?.Contains(IdText!, StringComparison.OrdinalIgnoreCase) == true;
}

/// <summary>Changes made as compare-and-set: read, decide, replace if nothing changed meanwhile, else decide again.</summary>
internal static class JobStoreUpdates
{
    /// <summary>
    /// Applies <paramref name="change"/> to the job's current record: it returns the record to save (null: save nothing)
    /// and a result for the caller. It may run more than once, so it must only compute. Not found when the job does not exist.
    /// </summary>
    public static async Task<JobUpdate<T>> UpdateAsync<T>(this IJobStore store, string projectId, string jobId,
        Func<JobRecord, (JobRecord? Save, T Result)> change, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (await store.GetAsync(projectId, jobId, cancellationToken) is not { } current)
                return default;
            var (next, result) = change(current);
            if (next is null || ReferenceEquals(next, current) || await store.ReplaceAsync(current, next, cancellationToken))
                return new(true, result);
        }
    }
}

/// <summary>What an update found: whether the job exists, and the result its change gave.</summary>
internal readonly record struct JobUpdate<T>(bool Found, T Result);
