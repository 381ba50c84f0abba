namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// Where the logging pipeline's finished lines go: a job's log and the service's runtime log. Each call hands one whole,
/// redacted JSONL line (newline included) to durable storage before it returns. Files under the data root are the
/// default (<see cref="FileLogDestination"/>); the Api puts its log store here, so its own entries go through the same
/// seam as everything else it stores.
/// </summary>
public interface ILogDestination : IDisposable
{
    /// <summary>
    /// Appends one line to the job's log unless the log is at its cap; the first line refused says
    /// <see cref="JobLogAppend.CapReached"/>. <paramref name="offset"/> is where the line landed when
    /// <paramref name="wantOffset"/> (it may cost a system call), else -1.
    /// </summary>
    JobLogAppend AppendToJob(JobKey job, ReadOnlySpan<byte> line, bool wantOffset, out long offset);

    /// <summary>Appends past the cap: the one marker that says what is dropped.</summary>
    void AppendMarkerToJob(JobKey job, ReadOnlySpan<byte> line);

    /// <summary>
    /// Appends one line to the service's runtime log. A <see cref="RuntimeLine.Notable"/> line is one a service without
    /// the data root also ships to the Api's copy of its runtime log.
    /// </summary>
    void AppendToRuntime(ReadOnlySpan<byte> line, RuntimeLine kind);

    /// <summary>A job log's size cap in bytes.</summary>
    long JobLogCapBytes { get; }

    /// <summary>A write failure's message as it may be logged: this text bypasses redaction, so it names no absolute path.</summary>
    string Describe(Exception failure);
}

public enum JobLogAppend { Appended, CapReached, Dropped }

/// <summary>Which runtime lines reach the Api: the notable ones (warn and above, start and stop), not the chatter.</summary>
public enum RuntimeLine { Ordinary, Notable }
