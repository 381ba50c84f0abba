using System.Runtime.CompilerServices;
using JobLogs.Api.Store;
using Microsoft.Extensions.Options;

namespace JobLogs.Api.Logs;

/// <summary>
/// Reads an open log by offset for the renderers (tail JSON, JSONL, Server-Sent Events): the window a query asks for,
/// the windows of a range, and — following a log — each window appended after an offset until the log ends. Memory is
/// one window at a time, whatever the log's size.
/// </summary>
internal sealed class LogEntryReader(ILogStore logs, IOptions<LogStreamOptions> options, TimeProvider time)
{
    /// <summary>Following reads at most this much at a time; a longer backlog is read window after window.</summary>
    public const int FollowWindowBytes = 256 * 1024;

    /// <summary>The window the query asks for: after an offset, or before one (the tail is before the end).</summary>
    public static ValueTask<LogWindow> WindowAsync(OpenLog log) => log.Query.After is { } after
        ? log.Reader.AfterAsync(after, log.Query.WindowBytes)
        : log.Reader.BeforeAsync(log.Query.Before ?? log.Reader.Length, log.Query.WindowBytes);

    /// <summary>The windows that cover [<paramref name="from"/>, <paramref name="to"/>), each at most <paramref name="windowBytes"/>.</summary>
    public static async IAsyncEnumerable<LogWindow> RangeAsync(ILogReader reader, long from, long to, int windowBytes,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (from < to && !cancellationToken.IsCancellationRequested)
        {
            var window = await reader.AfterAsync(from, windowBytes, to, cancellationToken);
            if (window.End <= from)
            {
                window.Dispose();
                yield break;
            }
            from = window.End;
            try
            {
                yield return window;
            }
            finally
            {
                window.Dispose();
            }
        }
    }

    /// <summary>
    /// Follows <paramref name="log"/> from <paramref name="after"/>: <see cref="FollowStep.Ready"/> first, then each window
    /// of appended lines (valid until the next step), <see cref="FollowStep.Idle"/> after each quiet poll, and at last
    /// <see cref="FollowStep.End"/> (the job finished, its log drained and quiet for the settle time) or
    /// <see cref="FollowStep.Rotated"/> (a service log was rotated away: its offsets belong to the old log). A quiet log
    /// is waited on until this process appends to it (<see cref="ILogStore.Watch"/>) or the poll interval passes, which
    /// finds what other processes append and is the fallback for anything a wake-up misses.
    /// </summary>
    public async IAsyncEnumerable<FollowStep> FollowAsync(OpenLog log, long after, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var reader = log.Reader;
        var appends = logs.Watch(log.Name);
        try
        {
            var position = after;
            yield return new FollowStep(FollowKind.Ready, position, reader.Length);
            // Quiet since its last write, so the stream of a job that finished long ago ends as soon as it is drained.
            var lastGrowth = TimestampOf(reader.LastWriteAt);
            var lastSize = reader.Length;
            long? finishedSince = null;
            while (!cancellationToken.IsCancellationRequested)
            {
                // Taken before the size is read: a line appended after that look wakes the wait below at once.
                var appended = appends.NextAppend();
                if (!reader.Exists)
                {
                    reader.Dispose();
                    reader = await logs.OpenAsync(log.Name, cancellationToken); // a service log appears with the service's first entry
                }
                var size = reader.Length;
                if (size != lastSize)
                    (lastSize, lastGrowth) = (size, time.GetTimestamp());

                if (size > position)
                {
                    using var window = await reader.AfterAsync(position, FollowWindowBytes, cancellationToken: cancellationToken);
                    yield return new FollowStep(FollowKind.Window, window.End, size, window);
                    if (window.End > position)
                    {
                        position = window.End;
                        continue; // more may be waiting: read on before sleeping
                    }
                }

                var status = log.Finished is null ? null : await log.Finished(cancellationToken);
                if (status is null)
                    finishedSince = null;
                else
                    finishedSince ??= TimestampOf(status.Value.At);
                if (status is { } end && size <= position
                    && time.GetElapsedTime(Math.Max(lastGrowth, finishedSince!.Value)) >= settings.SettleTime)
                {
                    yield return new FollowStep(FollowKind.End, position, size, End: end);
                    yield break;
                }
                if (log.Finished is null && size <= position)
                {
                    using var current = await logs.OpenAsync(log.Name, cancellationToken);
                    if (current.Exists && current.Length < position)
                    {
                        yield return new FollowStep(FollowKind.Rotated, position, current.Length);
                        yield break;
                    }
                }
                yield return new FollowStep(FollowKind.Idle, position, size);
                if (!await Wait(appended, settings.PollInterval, cancellationToken))
                    yield break;
            }
        }
        finally
        {
            appends.Dispose();
            reader.Dispose();
        }
    }

    /// <summary>The monotonic timestamp of a wall-clock time in the past (now for a time not in the past; long ago for none).</summary>
    private long TimestampOf(DateTimeOffset? at)
    {
        var ago = at is { } when ? time.GetUtcNow() - when : TimeSpan.MaxValue;
        ago = ago > TimeSpan.FromDays(365) ? TimeSpan.FromDays(365) : ago;
        return time.GetTimestamp() - (ago > TimeSpan.Zero ? (long)(ago.TotalSeconds * time.TimestampFrequency) : 0);
    }

    // Until the next append or the poll interval, whichever comes first; the client leaving or the Api stopping ends the
    // follow quietly. Neither a poll nor a cancellation throws: an idle stream polls several times a second.
    private async Task<bool> Wait(Task appended, TimeSpan poll, CancellationToken cancellationToken)
    {
        await appended.WaitAsync(poll, time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return !cancellationToken.IsCancellationRequested;
    }
}

internal enum FollowKind { Ready, Window, Idle, End, Rotated }

/// <summary>One step of following a log: <see cref="Offset"/> is the position after it, <see cref="Size"/> the log's size.</summary>
internal readonly record struct FollowStep(FollowKind Kind, long Offset, long Size, LogWindow? Window = null, LogEnd? End = null);
