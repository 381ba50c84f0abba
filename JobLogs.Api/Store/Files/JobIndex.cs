using JobLogs.Api.Jobs;
using JobLogs.Jobs;

namespace JobLogs.Api.Store.Files;

/// <summary>
/// The job records in memory, so listing jobs never reads a file (and never a log): per project in creation order, the
/// queue in claim order, the running set. Not thread-safe: <see cref="FileJobStore"/> holds its lock around every call.
/// </summary>
internal sealed class JobIndex
{
    private readonly Dictionary<string, ProjectJobs> _projects = new(StringComparer.Ordinal);
    private readonly SortedSet<QueuedJob> _queued = new();
    private readonly HashSet<(string ProjectId, string JobId)> _running = [];

    public int QueuedCount => _queued.Count;

    public JobRecord? Get(string projectId, string jobId) =>
        _projects.TryGetValue(projectId, out var project) ? project.ById.GetValueOrDefault(jobId) : null;

    public IReadOnlyList<string> Projects() => [.. _projects.Keys.Order(StringComparer.Ordinal)];

    public QueueState Queue() => new(_queued.Count, _queued.Count > 0 ? _queued.Min.QueuedAt : null,
        [.. _running.Select(r => _projects[r.ProjectId].ById[r.JobId])]);

    /// <summary>Queued jobs, longest waiting first.</summary>
    public IEnumerable<JobRecord> Queued() => _queued.Select(q => _projects[q.ProjectId].ById[q.JobId]);

    /// <summary>
    /// A project's page, newest first: without conditions it costs its own length whatever the project's size; with
    /// them it visits the project's records (every project's, for a query across projects).
    /// </summary>
    public JobListing List(JobQuery query)
    {
        if (query.IsProjectPage)
        {
            if (!_projects.TryGetValue(query.ProjectId!, out var project))
                return new([], 0);
            var newest = project.Order.Count - 1 - query.Skip; // the page's first job, counting from the oldest
            var count = Math.Clamp(newest + 1, 0, query.Take);
            return new([.. Enumerable.Range(0, count).Select(i => project.ById[project.Order[newest - i]])], project.Order.Count);
        }
        var page = new List<JobRecord>(Math.Min(query.Take, 256));
        var total = 0;
        foreach (var record in NewestFirst(query.ProjectId))
        {
            if (!query.Matches(record))
                continue;
            if (total >= query.Skip && page.Count < query.Take)
                page.Add(record);
            total++;
        }
        return new(page, total);
    }

    /// <summary>Puts <paramref name="record"/> in the place of <paramref name="previous"/> (null: a new job).</summary>
    public void Set(JobRecord record, JobRecord? previous)
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

    private IEnumerable<JobRecord> NewestFirst(string? projectId)
    {
        if (projectId is not null)
        {
            if (!_projects.TryGetValue(projectId, out var project))
                yield break;
            for (var i = project.Order.Count - 1; i >= 0; i--)
                yield return project.ById[project.Order[i]];
            yield break;
        }
        foreach (var record in _projects.Values.SelectMany(p => p.ById.Values)
                     .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal))
            yield return record;
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
