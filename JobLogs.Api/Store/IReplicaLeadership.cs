namespace JobLogs.Api.Store;

/// <summary>
/// Which replica runs the duties one Api must run alone (retention, runtime-log trimming by size: DESIGN.md, Past one
/// machine). Files mode has one Api, always the leader; in cluster mode the replica holding an advisory lock is, and
/// another takes over when it dies (its session, and so its lock, ends).
/// </summary>
internal interface IReplicaLeadership
{
    /// <summary>True when this replica leads now; asked before each run of a duty, it tries to take the lead when nobody holds it.</summary>
    Task<bool> LeadsAsync(CancellationToken cancellationToken = default);
}

/// <summary>Files mode: the one Api leads.</summary>
internal sealed class SoleReplica : IReplicaLeadership
{
    public Task<bool> LeadsAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);
}
