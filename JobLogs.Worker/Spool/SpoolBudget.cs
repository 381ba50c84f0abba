namespace JobLogs.Worker.Spool;

/// <summary>
/// The spool folder's size cap (<see cref="WorkerOptions.SpoolMaxBytes"/>), shared by every attempt's file: a line is
/// written only if it fits, and shipping gives its bytes back when a file is compacted or removed.
/// </summary>
internal sealed class SpoolBudget(long maxBytes)
{
    private long _used;

    public long MaxBytes => maxBytes;
    public long Used => Interlocked.Read(ref _used);

    public bool TryTake(long bytes)
    {
        while (true)
        {
            var used = Interlocked.Read(ref _used);
            if (used + bytes > maxBytes)
                return false;
            if (Interlocked.CompareExchange(ref _used, used + bytes, used) == used)
                return true;
        }
    }

    /// <summary>Takes bytes whatever the cap: a file adopted after a restart, or the one marker that says what was dropped.</summary>
    public void Force(long bytes) => Interlocked.Add(ref _used, bytes);

    public void Give(long bytes) => Interlocked.Add(ref _used, -bytes);
}
