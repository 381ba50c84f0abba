using System.Globalization;
using JobLogs.Api.Jobs;
using JobLogs.Api.Store;
using JobLogs.Jobs;
using Microsoft.Extensions.Options;

namespace JobLogs.Api.Retention;

/// <summary>
/// Keeps each project's job logs and assets within the configured limits: first by age (since the job finished; failed
/// jobs may be kept longer), then by size per project (logs and assets together; the jobs that finished first go first).
/// Only finished jobs are touched, never a queued or running one (a pending cancel is a running job), and none that
/// finished less than <see cref="Settle"/> ago.
/// <para>
/// "Removed" means: the job's log and its assets are deleted, and its record stays, marked with
/// <see cref="LogRemoval"/> (when, why, bytes freed) so pages and the log routes can say so. Records are small and hold
/// what a person looks for later (status, failure card, input, counts), so they are kept: the jobs list stays complete.
/// </para>
/// </summary>
internal sealed partial class JobRetention(
    IJobStore store, ILogStore logs, IAssetStore assets, LogRemovals inProgress, IOptions<RetentionOptions> options, TimeProvider time,
    ILogger<JobRetention> logger)
{
    /// <summary>
    /// Writers (the Api, workers) keep a job log's handle open until it has been quiet for 30 s, closed by a sweep within
    /// 40 s of the last write (JobLogFiles), and do not notice a deletion: a log deleted before that could take a retry's
    /// first lines into the deleted file. Age limits are at least this long.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(1);

    public async Task<JobRemovals> ApplyAsync(CancellationToken cancellationToken = default)
    {
        var limits = options.Value;
        var removals = new JobRemovals();
        if (limits.JobMaxAge is null && limits.ProjectMaxBytes is null)
            return removals;
        foreach (var projectId in await store.ProjectsAsync(cancellationToken))
        {
            var jobs = (await store.ListAsync(JobQuery.Project(projectId), cancellationToken)).Page;
            await ByAge(jobs, limits, removals, cancellationToken);
            if (limits.ProjectMaxBytes is { } maxBytes)
                await BySize(projectId, maxBytes, removals, cancellationToken);
        }
        return removals;
    }

    private async Task ByAge(IReadOnlyList<JobRecord> jobs, RetentionOptions limits, JobRemovals removals, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var job in jobs.Where(Removable))
        {
            var failed = job.Status == JobStatus.Failed;
            if (limits.MaxAge(failed) is { } maxAge && now - FinishedAt(job) > maxAge)
                await Remove(job, failed && limits.FailedJobMaxAge is not null ? $"failed, older than {Describe(maxAge)}" : $"older than {Describe(maxAge)}",
                    removals, cancellationToken);
        }
    }

    private async Task BySize(string projectId, long maxBytes, JobRemovals removals, CancellationToken cancellationToken)
    {
        var jobs = (await store.ListAsync(JobQuery.Project(projectId), cancellationToken)).Page;
        // Queued and running jobs count towards the project's size too, though only finished ones can give theirs up.
        var sizes = new Dictionary<string, long>();
        foreach (var job in jobs.Where(j => j.LogRemoved is null))
            sizes[job.Id] = await Bytes(job, cancellationToken);
        var total = sizes.Values.Sum();
        var reason = $"the project passed its limit of {maxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes";
        foreach (var job in jobs.Where(Removable).OrderBy(FinishedAt).ThenBy(j => j.Id, StringComparer.Ordinal))
        {
            if (total <= maxBytes)
                break;
            if (sizes[job.Id] > 0)
                total -= await Remove(job, reason, removals, cancellationToken);
        }
    }

    private bool Removable(JobRecord job) =>
        job.Status.IsFinished() && job.LogRemoved is null && time.GetUtcNow() - FinishedAt(job) >= Settle;

    private static DateTimeOffset FinishedAt(JobRecord job) => job.FinishedAt ?? job.CreatedAt;

    private async Task<long> Bytes(JobRecord job, CancellationToken cancellationToken) =>
        await logs.SizeAsync(LogName.Job(job.ProjectId, job.Id), cancellationToken) + await assets.SizeAsync(job.ProjectId, job.Id, cancellationToken);

    /// <summary>
    /// Marks the record, then deletes the job's log and assets; returns the bytes freed. The mark is a compare-and-set
    /// on the record as it was judged, so a retry that came first wins and nothing is deleted; while the deletion runs,
    /// <see cref="LogRemovals"/> holds back a retry (its first entry would go into the log being deleted).
    /// </summary>
    private async Task<long> Remove(JobRecord job, string reason, JobRemovals removals, CancellationToken cancellationToken)
    {
        using var removing = inProgress.Begin(job.ProjectId, job.Id);
        try
        {
            var bytes = await Bytes(job, cancellationToken);
            var removal = new LogRemoval(time.GetUtcNow(), reason, bytes);
            var marked = await store.UpdateAsync(job.ProjectId, job.Id, current =>
                Removable(current) ? (current with { LogRemoved = removal }, true) : (null, false), cancellationToken);
            if (!marked.Result)
                return 0;
            await logs.DeleteAsync(LogName.Job(job.ProjectId, job.Id), cancellationToken);
            var hadAssets = await assets.DeleteAsync(job.ProjectId, job.Id, cancellationToken);
            removals.Add(bytes, hadAssets);
            LogRemoved(logger, job.ProjectId, job.Id, bytes, reason);
            return bytes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotRemoved(logger, ex, job.ProjectId, job.Id);
            return 0;
        }
    }

    /// <summary>A limit as a phrase: "30 days", "12 hours", "90 minutes".</summary>
    private static string Describe(TimeSpan span) =>
        span.Ticks % TimeSpan.TicksPerDay == 0 ? Plural((long)span.TotalDays, "day")
        : span.Ticks % TimeSpan.TicksPerHour == 0 ? Plural((long)span.TotalHours, "hour")
        : Plural((long)span.TotalMinutes, "minute");

    private static string Plural(long n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention removed the log and assets of job {ProjectId}/{JobId} ({Bytes} bytes): {Reason}")]
    private static partial void LogRemoved(ILogger logger, string projectId, string jobId, long bytes, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Retention could not remove the log and assets of job {ProjectId}/{JobId}; the next cleanup tries again")]
    private static partial void LogNotRemoved(ILogger logger, Exception exception, string projectId, string jobId);
}

/// <summary>What <see cref="JobRetention"/> removed in one run.</summary>
internal sealed class JobRemovals
{
    public int Jobs { get; private set; }
    public int AssetFolders { get; private set; }
    public long Bytes { get; private set; }

    public void Add(long bytes, bool assets)
    {
        Jobs++;
        AssetFolders += assets ? 1 : 0;
        Bytes += bytes;
    }
}
