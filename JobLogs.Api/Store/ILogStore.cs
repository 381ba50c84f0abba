using JobLogs.Api.Logs;
using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.Api.Store;

/// <summary>
/// The JSONL logs the Api keeps: job logs, the services' runtime logs and project events, each addressed by
/// <see cref="LogName"/> and read by byte offset. It is the logging pipeline's destination in the Api
/// (<see cref="ILogDestination"/>), so the Api's own entries reach the same logs through the same store. Appends are
/// synchronous, like the pipeline that makes them: a line is stored before the call returns.
/// </summary>
internal interface ILogStore : ILogDestination
{
    /// <summary>Opens a log for reading windows of it while appends go on; a log that does not exist reads as empty.</summary>
    Task<ILogReader> OpenAsync(LogName log, CancellationToken cancellationToken = default);

    /// <summary>
    /// Watches <paramref name="log"/> for lines appended through this store, in this process: a follower awaits the next
    /// one with its poll interval as the limit, and polls for everything else.
    /// </summary>
    LogWatch Watch(LogName log);

    /// <summary>Appends one whole line (newline included); returns the offset it was stored at.</summary>
    long Append(LogName log, ReadOnlySpan<byte> line);

    /// <summary>
    /// Appends a batch of lines (a worker's shipped batch) to the job's log in order, each as
    /// <see cref="ILogDestination.AppendToJob"/> would (the cap included), in one round trip where the store can.
    /// </summary>
    Task<JobLinesAppended> AppendToJobAsync(JobKey job, IReadOnlyList<ReadOnlyMemory<byte>> lines, CancellationToken cancellationToken = default);

    /// <summary>The log's size in bytes; 0 when it does not exist.</summary>
    Task<long> SizeAsync(LogName log, CancellationToken cancellationToken = default);

    /// <summary>Removes the log; returns the bytes freed.</summary>
    Task<long> DeleteAsync(LogName log, CancellationToken cancellationToken = default);

    /// <summary>
    /// Keeps a service's runtime log under <paramref name="maxBytes"/>: past it, the log starts again empty and its old
    /// lines are kept aside as a generation, at most <paramref name="keep"/> of them. Null when the log was within its size.
    /// </summary>
    Task<RuntimeLogTrim?> TrimRuntimeAsync(string service, long maxBytes, int keep, CancellationToken cancellationToken = default);
}

/// <summary>
/// Where each line of a batch landed (-1: the cap dropped it), and the outcome of the first line not appended —
/// <see cref="JobLogAppend.CapReached"/> says the caller writes the marker — or <see cref="JobLogAppend.Appended"/> for all.
/// </summary>
internal sealed record JobLinesAppended(IReadOnlyList<long> Offsets, JobLogAppend Outcome);

/// <summary>A runtime log started again: how big it was, the generation its lines became, the old generations removed.</summary>
internal sealed record RuntimeLogTrim(long Bytes, int Generation, IReadOnlyList<int> RemovedGenerations);

/// <summary>One log read by offset: its size now, windows of whole lines, and its bytes as they are.</summary>
internal interface ILogReader : IDisposable
{
    bool Exists { get; }

    /// <summary>The size now: it includes what was appended since the log was opened.</summary>
    long Length { get; }

    /// <summary>When the last line was appended, or null for a log that does not exist.</summary>
    DateTimeOffset? LastWriteAt { get; }

    /// <summary>The whole lines that end at or before <paramref name="before"/>, from at most <paramref name="maxBytes"/> before it.</summary>
    ValueTask<LogWindow> BeforeAsync(long before, int maxBytes, CancellationToken cancellationToken = default);

    /// <summary>
    /// The whole lines that start at or after <paramref name="after"/>, from at most <paramref name="maxBytes"/> after it
    /// and no further than <paramref name="limit"/> (the end of the log when not given).
    /// </summary>
    ValueTask<LogWindow> AfterAsync(long after, int maxBytes, long limit = long.MaxValue, CancellationToken cancellationToken = default);

    /// <summary>Copies the bytes [<paramref name="from"/>, <paramref name="to"/>) as they are.</summary>
    Task CopyToAsync(Stream destination, long from, long to, CancellationToken cancellationToken);
}

internal enum LogKind { Job, Runtime, Events }

/// <summary>A log the Api keeps: a job's log, a service's runtime log, or a project's events.</summary>
internal readonly record struct LogName(LogKind Kind, string Owner, string? JobId = null)
{
    /// <summary>The services that have a runtime log.</summary>
    public static readonly IReadOnlyList<string> Services = ["backend", "worker", "web"];

    public static LogName Job(string projectId, string jobId) => new(LogKind.Job, projectId, jobId);
    public static LogName Runtime(string service) => new(LogKind.Runtime, service);
    public static LogName Events(string projectId) => new(LogKind.Events, projectId);

    /// <summary>The name a download of the log gets.</summary>
    public string FileName => Kind switch
    {
        LogKind.Job => $"{JobId}.jsonl",
        LogKind.Runtime => $"{Owner}.jsonl",
        _ => "events.jsonl",
    };
}
