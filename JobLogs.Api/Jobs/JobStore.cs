using System.Text.Json;
using JobLogs.Api.Events;
using JobLogs.Jobs;

namespace JobLogs.Api.Jobs;

/// <summary>
/// The only owner of job records: each one a file written atomically (temp file, fsync, rename) after it
/// validates against schemas/job.schema.json, plus an in-memory index rebuilt from the files at start, so
/// listing jobs never reads a file (and never a log). One lock orders every change, and the project event each change
/// tells of (<see cref="JobEvents"/>) is appended under it, so a project's events are in the order its jobs changed.
/// </summary>
internal sealed class JobStore(DataLayout layout, ProjectEvents events, ILogger<JobStore> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ProjectJobs> _projects = new(StringComparer.Ordinal);
    private readonly SortedSet<QueuedJob> _queued = new();
    private readonly HashSet<(string ProjectId, string JobId)> _running = [];

    /// <summary>Rebuilds the index from the records on disk. Unreadable records are logged and left alone.</summary>
    public int Load()
    {
        lock (_gate)
        {
            _projects.Clear();
            _queued.Clear();
            _running.Clear();
            if (!Directory.Exists(layout.ProjectsDirectory))
                return 0;
            var loaded = new List<JobRecord>();
            foreach (var projectDir in Directory.EnumerateDirectories(layout.ProjectsDirectory))
            {
                var jobsDir = Path.Combine(projectDir, "jobs");
                if (!Ids.IsValid(Path.GetFileName(projectDir)) || !Directory.Exists(jobsDir))
                    continue;
                foreach (var temp in Directory.EnumerateFiles(jobsDir, "*.tmp"))
                    File.Delete(temp); // a write that never reached its rename
                foreach (var file in Directory.EnumerateFiles(jobsDir, "*.json"))
                {
                    if (Read(file) is { } record)
                        loaded.Add(record);
                }
            }
            foreach (var record in loaded.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal))
                Index(record, previous: null);
            return loaded.Count;
        }
    }

    public JobRecord? Get(string projectId, string jobId)
    {
        lock (_gate)
            return _projects.TryGetValue(projectId, out var project) ? project.ById.GetValueOrDefault(jobId) : null;
    }

    /// <summary>
    /// A project's jobs, newest first, filtered (null: all of them), one page of them. Unfiltered, a page costs its own
    /// length whatever the project's size; a filter visits the project's index (records in memory, never logs).
    /// </summary>
    public (IReadOnlyList<JobRecord> Page, int Total) List(string projectId, Func<JobRecord, bool>? filter, int skip, int take)
    {
        lock (_gate)
        {
            if (!_projects.TryGetValue(projectId, out var project))
                return ([], 0);
            if (filter is null)
            {
                var newest = project.Order.Count - 1 - skip; // the page's first job, counting from the oldest
                var count = Math.Clamp(newest + 1, 0, take);
                return ([.. Enumerable.Range(0, count).Select(i => project.ById[project.Order[newest - i]])], project.Order.Count);
            }
            var page = new List<JobRecord>(Math.Min(take, 256));
            var total = 0;
            for (var i = project.Order.Count - 1; i >= 0; i--)
            {
                var record = project.ById[project.Order[i]];
                if (!filter(record))
                    continue;
                if (total >= skip && page.Count < take)
                    page.Add(record);
                total++;
            }
            return (page, total);
        }
    }

    /// <summary>Every job of every project that <paramref name="filter"/> accepts, from the index.</summary>
    public IReadOnlyList<JobRecord> All(Func<JobRecord, bool> filter)
    {
        lock (_gate)
            return [.. _projects.Values.SelectMany(p => p.ById.Values).Where(filter)];
    }

    /// <summary>When the job that has waited longest in the queue was queued; null when none waits.</summary>
    public DateTimeOffset? OldestQueuedAt
    {
        get { lock (_gate) return _queued.Count > 0 ? _queued.Min.QueuedAt : null; }
    }

    public IReadOnlyList<string> Projects()
    {
        lock (_gate)
            return [.. _projects.Keys.Order(StringComparer.Ordinal)];
    }

    public void Add(JobRecord record)
    {
        lock (_gate)
        {
            if (Get(record.ProjectId, record.Id) is not null)
                throw new InvalidOperationException($"Job {record.ProjectId}/{record.Id} already exists.");
            Save(record, previous: null);
        }
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the job under the store's lock. It returns the record to save (null: save
    /// nothing) and a result for the caller. False when the job does not exist.
    /// </summary>
    public bool TryUpdate<T>(string projectId, string jobId, Func<JobRecord, (JobRecord? Save, T Result)> change, out T result)
    {
        lock (_gate)
        {
            result = default!;
            if (Get(projectId, jobId) is not { } current)
                return false;
            (var next, result) = change(current);
            if (next is not null && !ReferenceEquals(next, current))
                Save(next, current);
            return true;
        }
    }

    /// <summary>Claims the oldest queued job <paramref name="eligible"/> accepts, saving what <paramref name="claim"/> makes of it.</summary>
    public JobRecord? ClaimNext(Func<JobRecord, bool> eligible, Func<JobRecord, JobRecord> claim)
    {
        lock (_gate)
        {
            foreach (var queued in _queued)
            {
                var record = _projects[queued.ProjectId].ById[queued.JobId];
                if (!eligible(record))
                    continue;
                var claimed = claim(record);
                Save(claimed, record);
                return claimed;
            }
            return null;
        }
    }

    public IReadOnlyList<JobRecord> Running()
    {
        lock (_gate)
            return [.. _running.Select(r => _projects[r.ProjectId].ById[r.JobId])];
    }

    public int QueuedCount
    {
        get { lock (_gate) return _queued.Count; }
    }

    /// <summary>How <paramref name="record"/> fails job.schema.json, one sentence each; empty when it may be saved.</summary>
    public IReadOnlyList<string> Problems(JobRecord record)
    {
        using var document = JsonSerializer.SerializeToDocument(record, Json.Options);
        return Schemas.Problems(Schemas.Job, document.RootElement);
    }

    private void Save(JobRecord record, JobRecord? previous)
    {
        if (Problems(record) is { Count: > 0 } problems)
        {
            logger.LogError("Refused to write the invalid record of job {ProjectId}/{JobId}: {Problems}",
                record.ProjectId, record.Id, string.Join("; ", problems));
            throw new InvalidOperationException($"The record of job {record.ProjectId}/{record.Id} does not match job.schema.json: {string.Join("; ", problems)}");
        }
        WriteAtomically(layout.JobRecord(record.ProjectId, record.Id), JsonSerializer.SerializeToUtf8Bytes(record, Json.Options));
        Index(record, previous);
        if (JobEvents.Of(previous, record) is { } change)
            events.Append(change);
    }

    // A crash leaves either the old record or the new one, never half of one: the new bytes reach the disk
    // in a temp file first, and rename replaces the record in one step.
    private static void WriteAtomically(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }

    private JobRecord? Read(string file)
    {
        try
        {
            var bytes = File.ReadAllBytes(file);
            using var document = JsonDocument.Parse(bytes);
            if (Schemas.Problems(Schemas.Job, document.RootElement) is { Count: > 0 } problems)
            {
                logger.LogWarning("Skipped the job record {File}: it does not match job.schema.json ({Problems})",
                    layout.Relative(file), string.Join("; ", problems));
                return null;
            }
            var record = document.RootElement.Deserialize<JobRecord>(Json.Options)!;
            if (layout.JobRecord(record.ProjectId, record.Id) != Path.GetFullPath(file))
            {
                logger.LogWarning("Skipped the job record {File}: its ids do not match its place", layout.Relative(file));
                return null;
            }
            return record;
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            logger.LogWarning(ex, "Skipped the unreadable job record {File}", layout.Relative(file));
            return null;
        }
    }

    private void Index(JobRecord record, JobRecord? previous)
    {
        if (!_projects.TryGetValue(record.ProjectId, out var project))
            _projects[record.ProjectId] = project = new ProjectJobs();
        if (previous is null)
            project.Order.Add(record.Id);
        project.ById[record.Id] = record;

        var key = (record.ProjectId, record.Id);
        if (previous?.Status == JobStatus.Queued)
            _queued.Remove(QueuedJob.Of(previous));
        if (record.Status == JobStatus.Queued)
            _queued.Add(QueuedJob.Of(record));
        if (record.Status == JobStatus.Running)
            _running.Add(key);
        else
            _running.Remove(key);
    }

    private sealed class ProjectJobs
    {
        public Dictionary<string, JobRecord> ById { get; } = new(StringComparer.Ordinal);
        /// <summary>Job ids in creation order.</summary>
        public List<string> Order { get; } = [];
    }

    /// <summary>Queued jobs are claimed in the order they were queued (created or retried), across projects.</summary>
    private readonly record struct QueuedJob(DateTimeOffset QueuedAt, string ProjectId, string JobId) : IComparable<QueuedJob>
    {
        public static QueuedJob Of(JobRecord record) => new(record.QueuedAt, record.ProjectId, record.Id);

        public int CompareTo(QueuedJob other)
        {
            var byTime = QueuedAt.CompareTo(other.QueuedAt);
            if (byTime != 0) return byTime;
            var byProject = string.CompareOrdinal(ProjectId, other.ProjectId);
            return byProject != 0 ? byProject : string.CompareOrdinal(JobId, other.JobId);
        }
    }
}
