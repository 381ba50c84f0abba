using System.Collections.Concurrent;

namespace JobLogs.Api.Retention;

/// <summary>
/// The jobs whose log and assets retention is deleting right now. A retry of such a job waits its turn (409): its first
/// entry would otherwise land in the log being deleted. Retention adds a job before it marks the record, and a retry
/// decides on the record it replaces, so one of the two always sees the other.
/// </summary>
internal sealed class LogRemovals
{
    private readonly ConcurrentDictionary<(string ProjectId, string JobId), byte> _removing = new();

    public bool IsRemoving(string projectId, string jobId) => _removing.ContainsKey((projectId, jobId));

    public IDisposable Begin(string projectId, string jobId)
    {
        _removing[(projectId, jobId)] = 0;
        return new Ending(() => _removing.TryRemove((projectId, jobId), out _));
    }

    private sealed class Ending(Action end) : IDisposable
    {
        public void Dispose() => end();
    }
}
