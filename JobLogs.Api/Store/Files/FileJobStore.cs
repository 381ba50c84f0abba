using JobLogs.Api.Events;
using JobLogs.Api.Jobs;

namespace JobLogs.Api.Store.Files;

/// <summary>
/// The job store of files mode: records as files (<see cref="JobRecordFiles"/>) and an index of them in memory
/// (<see cref="JobIndex"/>), rebuilt from the files at start. One lock orders every change: its record is written, the
/// index updated and the project event it tells of (<see cref="JobEvents"/>) appended under it, so a project's events
/// are in the order its jobs changed. Under the lock run only the store's own writes and, for a claim, the caller's
/// claim function, which only computes (no I/O).
/// </summary>
internal sealed class FileJobStore(DataLayout layout, ProjectEvents events, ILogger<FileJobStore> logger) : IJobStore
{
    private readonly Lock _gate = new();
    private readonly JobIndex _index = new();
    private readonly JobRecordFiles _files = new(layout, logger);

    public Task<StoreOpened> OpenAsync(CancellationToken cancellationToken = default)
    {
        var records = _files.ReadAll();
        lock (_gate)
        {
            foreach (var record in records)
                _index.Set(record, previous: null);
            return Task.FromResult(new StoreOpened(records.Count, _index.QueuedCount, $"the data root {layout.Root}"));
        }
    }

    public Task<JobRecord?> GetAsync(string projectId, string jobId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return Task.FromResult(_index.Get(projectId, jobId));
    }

    public Task<JobListing> ListAsync(JobQuery query, CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return Task.FromResult(_index.List(query));
    }

    public Task<IReadOnlyList<string>> ProjectsAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return Task.FromResult(_index.Projects());
    }

    public Task<QueueState> QueueAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
            return Task.FromResult(_index.Queue());
    }

    public Task AddAsync(JobRecord record, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_index.Get(record.ProjectId, record.Id) is not null)
                throw new JobExistsException(record.ProjectId, record.Id);
            Save(record with { Revision = 1 }, previous: null);
        }
        return Task.CompletedTask;
    }

    public Task<bool> ReplaceAsync(JobRecord expected, JobRecord next, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_index.Get(expected.ProjectId, expected.Id) is not { } current || current.Revision != expected.Revision)
                return Task.FromResult(false);
            Save(next with { Revision = current.Revision + 1 }, current);
            return Task.FromResult(true);
        }
    }

    public Task<JobRecord?> ClaimAsync(IReadOnlyCollection<string>? types, Func<JobRecord, JobRecord> claim, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_index.Queued().FirstOrDefault(job => types is not { Count: > 0 } || types.Contains(job.Type)) is not { } queued)
                return Task.FromResult<JobRecord?>(null);
            var claimed = claim(queued) with { Revision = queued.Revision + 1 };
            Save(claimed, queued);
            return Task.FromResult<JobRecord?>(claimed);
        }
    }

    private void Save(JobRecord record, JobRecord? previous)
    {
        _files.Write(JobRecordSchema.Valid(record, logger));
        _index.Set(record, previous);
        if (JobEvents.Of(previous, record) is { } change)
            events.Append(change);
    }
}
