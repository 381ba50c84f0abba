namespace JobLogs.ServiceDefaults.Logging.Shipping;

/// <summary>
/// The lines a service without the data root owes the Api, in the order they were written, per log: its notable runtime
/// lines and, for the web, the <c>ui</c> entries of jobs. A batch taken and not yet stored is offered again, whole and
/// under the same id, so the Api can tell a batch sent again from a new one. Held in memory and bounded: past
/// <see cref="MaxBytes"/> new lines are dropped and counted (the local runtime file keeps every runtime line).
/// </summary>
public sealed class ShippingQueue
{
    public const long MaxBytes = 8 * 1024 * 1024;
    public const int BatchBytes = 256 * 1024;

    private readonly Lock _gate = new();
    // Targets in the order they first had lines: the runtime log is first and stays.
    private readonly List<Target> _targets = [new(null)];
    private long _bytes;
    private long _droppedLines, _droppedBytes;

    /// <summary>Queues one line for the runtime log (<paramref name="job"/> null) or for a job's log.</summary>
    public void Add(JobKey? job, ReadOnlySpan<byte> line)
    {
        lock (_gate)
        {
            if (_bytes + line.Length > MaxBytes)
            {
                _droppedLines++;
                _droppedBytes += line.Length;
                return;
            }
            var target = job is null ? _targets[0] : Find(job.Value);
            target.Lines.Enqueue(line.ToArray());
            _bytes += line.Length;
        }
    }

    public bool IsEmpty
    {
        get
        {
            lock (_gate)
                return _bytes == 0;
        }
    }

    /// <summary>The batch to send next: one sent before and not yet settled, else a new one of up to <see cref="BatchBytes"/>.</summary>
    public ShippingBatch? Next()
    {
        lock (_gate)
        {
            foreach (var target in _targets)
            {
                if (target.InFlight is { } pending)
                    return pending;
                if (target.Lines.Count == 0)
                    continue;
                using var lines = new MemoryStream();
                var count = 0;
                while (target.Lines.TryPeek(out var line) && (count == 0 || lines.Length + line.Length <= BatchBytes))
                {
                    lines.Write(target.Lines.Dequeue());
                    count++;
                }
                return target.InFlight = new ShippingBatch(target.Job, Guid.NewGuid().ToString("N"), lines.ToArray(), count);
            }
            return null;
        }
    }

    /// <summary>The batch is settled: stored by the Api, or refused for good. Either way it is not sent again.</summary>
    public void Settled(ShippingBatch batch)
    {
        lock (_gate)
        {
            var target = batch.Job is null ? _targets[0] : Find(batch.Job.Value);
            if (!ReferenceEquals(target.InFlight, batch))
                return;
            target.InFlight = null;
            _bytes -= batch.Lines.Length;
            if (target.Job is not null && target.Lines.Count == 0)
                _targets.Remove(target);
        }
    }

    /// <summary>How many lines the cap dropped since the last call, and their bytes.</summary>
    public (long Lines, long Bytes) TakeDropped()
    {
        lock (_gate)
        {
            var dropped = (_droppedLines, _droppedBytes);
            (_droppedLines, _droppedBytes) = (0, 0);
            return dropped;
        }
    }

    private Target Find(JobKey job)
    {
        foreach (var target in _targets)
            if (target.Job is { } key && key.ProjectId == job.ProjectId && key.JobId == job.JobId)
                return target;
        var added = new Target(job);
        _targets.Add(added);
        return added;
    }

    private sealed class Target(JobKey? job)
    {
        public JobKey? Job { get; } = job;
        public Queue<byte[]> Lines { get; } = new();
        public ShippingBatch? InFlight { get; set; }
    }
}

/// <summary>Lines for one log, sent as one request: <paramref name="Id"/> is its idempotency key.</summary>
public sealed record ShippingBatch(JobKey? Job, string Id, byte[] Lines, int Count);
