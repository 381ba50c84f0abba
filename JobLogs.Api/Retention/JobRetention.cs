using System.Globalization;
using JobLogs.Api.Jobs;
using JobLogs.Jobs;
using Microsoft.Extensions.Options;

namespace JobLogs.Api.Retention;

/// <summary>
/// Keeps each project's job logs and assets within the configured limits: first by age (since the job finished; failed
/// jobs may be kept longer), then by size per project (logs and assets together; the jobs that finished first go first).
/// Only finished jobs are touched, never a queued or running one (a pending cancel is a running job), and none that
/// finished less than <see cref="Settle"/> ago.
/// <para>
/// "Removed" means: the job's log file and its assets folder are deleted, and its record stays, marked with
/// <see cref="LogRemoval"/> (when, why, bytes freed) so pages and the log routes can say so. Records are small and hold
/// what a person looks for later (status, failure card, input, counts), so they are kept: the jobs list stays complete.
/// </para>
/// </summary>
internal sealed partial class JobRetention(
    JobStore store, DataLayout layout, IOptions<RetentionOptions> options, TimeProvider time, ILogger<JobRetention> logger)
{
    // Links inside an assets folder are neither followed nor counted: only what lives under the data root is ours.
    private static readonly EnumerationOptions AssetFiles = new()
    {
        RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true,
    };

    /// <summary>
    /// Writers (the Api, workers) keep a job log's handle open until it has been quiet for 30 s, closed by a sweep within
    /// 40 s of the last write (JobLogFiles), and do not notice a deletion: a log deleted before that could take a retry's
    /// first lines into the deleted file. Age limits are at least this long.
    /// </summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMinutes(1);

    public JobRemovals Apply()
    {
        var limits = options.Value;
        if (limits.JobMaxAge is null && limits.ProjectMaxBytes is null)
            return new JobRemovals();
        var removals = new JobRemovals();
        foreach (var projectId in store.Projects())
        {
            ByAge(projectId, limits, removals);
            if (limits.ProjectMaxBytes is { } maxBytes)
                BySize(projectId, maxBytes, removals);
        }
        return removals;
    }

    private void ByAge(string projectId, RetentionOptions limits, JobRemovals removals)
    {
        var now = time.GetUtcNow();
        foreach (var job in Jobs(projectId).Where(Removable))
        {
            var failed = job.Status == JobStatus.Failed;
            if (limits.MaxAge(failed) is { } maxAge && now - FinishedAt(job) > maxAge)
                Remove(job, failed && limits.FailedJobMaxAge is not null ? $"failed, older than {Describe(maxAge)}" : $"older than {Describe(maxAge)}", removals);
        }
    }

    private void BySize(string projectId, long maxBytes, JobRemovals removals)
    {
        var jobs = Jobs(projectId);
        // Queued and running jobs count towards the project's size too, though only finished ones can give theirs up.
        var sizes = jobs.Where(j => j.LogRemoved is null).ToDictionary(j => j.Id, j => LogBytes(j) + AssetBytes(j));
        var total = sizes.Values.Sum();
        var reason = $"the project passed its limit of {maxBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes";
        foreach (var job in jobs.Where(Removable).OrderBy(FinishedAt).ThenBy(j => j.Id, StringComparer.Ordinal))
        {
            if (total <= maxBytes)
                break;
            if (sizes[job.Id] > 0)
                total -= Remove(job, reason, removals);
        }
    }

    private IReadOnlyList<JobRecord> Jobs(string projectId) => store.List(projectId, filter: null, 0, int.MaxValue).Page;

    private bool Removable(JobRecord job) =>
        job.Status.IsFinished() && job.LogRemoved is null && time.GetUtcNow() - FinishedAt(job) >= Settle;

    private static DateTimeOffset FinishedAt(JobRecord job) => job.FinishedAt ?? job.CreatedAt;

    /// <summary>Deletes the job's log and assets and marks its record; returns the bytes freed.</summary>
    private long Remove(JobRecord job, string reason, JobRemovals removals)
    {
        try
        {
            // Under the store's lock, so a retry cannot queue the job between the check and the delete (its next
            // attempt would write into the log being deleted).
            store.TryUpdate<(LogRemoval? Removal, bool Assets)>(job.ProjectId, job.Id, current =>
            {
                if (!Removable(current))
                    return (null, (null, false));
                var bytes = LogBytes(current) + AssetBytes(current);
                var assets = Directory.Exists(layout.Assets(current.ProjectId, current.Id));
                File.Delete(layout.JobLog(current.ProjectId, current.Id));
                DeleteAssets(current);
                var removal = new LogRemoval(time.GetUtcNow(), reason, bytes);
                return (current with { LogRemoved = removal }, (removal, assets));
            }, out var removed);
            if (removed.Removal is not { } done)
                return 0;
            removals.Add(done.Bytes, removed.Assets);
            LogRemoved(logger, job.ProjectId, job.Id, done.Bytes, reason);
            return done.Bytes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotRemoved(logger, ex, job.ProjectId, job.Id);
            return 0;
        }
    }

    private long LogBytes(JobRecord job) =>
        new FileInfo(layout.JobLog(job.ProjectId, job.Id)) is { Exists: true, LinkTarget: null } log ? log.Length : 0;

    private long AssetBytes(JobRecord job)
    {
        var folder = new DirectoryInfo(layout.Assets(job.ProjectId, job.Id));
        return folder is { Exists: true, LinkTarget: null } ? folder.EnumerateFiles("*", AssetFiles).Sum(f => f.Length) : 0;
    }

    private void DeleteAssets(JobRecord job)
    {
        var folder = new DirectoryInfo(layout.Assets(job.ProjectId, job.Id));
        if (folder.LinkTarget is not null)
            File.Delete(folder.FullName); // the link itself, never what it points to
        else if (folder.Exists)
            folder.Delete(recursive: true); // removes links inside without following them
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
