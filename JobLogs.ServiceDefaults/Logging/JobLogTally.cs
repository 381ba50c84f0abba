using System.Collections.Concurrent;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Redaction;
using Serilog.Events;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// What this process's pipeline wrote to the logs of the attempts someone watches: error and warn counts,
/// the offset of the first error, redactions by rule, dropped entries and the first write failure. The
/// job runner reads it to report counts and to fail a job whose log cannot be written.
/// </summary>
public sealed class JobLogTally
{
    private readonly ConcurrentDictionary<JobKey, AttemptTally> _watched = new();

    /// <summary>Starts tallying <paramref name="key"/>'s entries; stop with <see cref="Stop"/> when the attempt ends.</summary>
    public AttemptTally Watch(JobKey key) => _watched.GetOrAdd(key, _ => new AttemptTally());

    public void Stop(JobKey key) => _watched.TryRemove(key, out _);

    internal AttemptTally? Find(JobKey key) => _watched.GetValueOrDefault(key);

    internal void AddRedactions(JobKey key, RedactionCounts counts) => Find(key)?.Redactions.Add(counts);
}

/// <summary>One attempt's tally. Thread-safe: every logging thread may update it.</summary>
public sealed class AttemptTally
{
    private int _errors, _warns, _dropped;
    private long _firstErrorOffset = -1;
    private Exception? _writeFailure;

    public LogCounts Counts => new(Volatile.Read(ref _errors), Volatile.Read(ref _warns));
    /// <summary>Byte offset of the attempt's first error entry written by this process, if any.</summary>
    public long? FirstErrorOffset => Interlocked.Read(ref _firstErrorOffset) is >= 0 and var offset ? offset : null;
    public int Dropped => Volatile.Read(ref _dropped);
    /// <summary>The first failure to write the job log, if any: the job must then fail with a clear card.</summary>
    public Exception? WriteFailure => Volatile.Read(ref _writeFailure);
    public RedactionCounts Redactions { get; } = new();

    /// <summary>Only the attempt's first error needs its offset (the failure card points at it).</summary>
    internal bool WantsOffset(LogEventLevel level) => level >= LogEventLevel.Error && Interlocked.Read(ref _firstErrorOffset) < 0;

    internal void Written(LogEventLevel level, long offset)
    {
        if (level >= LogEventLevel.Error)
        {
            Interlocked.Increment(ref _errors);
            if (offset >= 0)
                Interlocked.CompareExchange(ref _firstErrorOffset, offset, -1);
        }
        else if (level == LogEventLevel.Warning)
            Interlocked.Increment(ref _warns);
    }

    internal void Drop() => Interlocked.Increment(ref _dropped);

    /// <summary>True for the first failure only, so the cause is reported once.</summary>
    internal bool Fail(Exception failure) => Interlocked.CompareExchange(ref _writeFailure, failure, null) is null;
}
