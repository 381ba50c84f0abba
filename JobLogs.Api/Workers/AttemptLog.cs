using JobLogs.Jobs;

namespace JobLogs.Api.Workers;

/// <summary>
/// What the Api holds of one attempt's shipped lines: the highest <c>seq</c>, the error and warn counts and the offset
/// of the first error among them, whether the marker before late lines was written, and whether the job log is at its
/// cap (past it lines are dropped, so no <c>seq</c> is a gap). Always what the stored log says: recovered from it by
/// <see cref="ShippedLogs"/>, and changed only by lines stored.
/// </summary>
internal sealed record AttemptLog(long Highest, LogCounts Counts, long? FirstErrorOffset, bool LateMarked, bool Capped)
{
    public static readonly AttemptLog Empty = new(0, new LogCounts(0, 0), null, false, false);

    /// <summary>The attempt shipped lines: its counts are the Api's, not the worker's.</summary>
    public bool HasShipped => Highest > 0;

    /// <summary>The log after <paramref name="line"/>, stored at <paramref name="offset"/>, or dropped past the cap when null.</summary>
    public AttemptLog Stored(ShippedLine line, long? offset) => offset is not { } at
        ? this with { Highest = Math.Max(Highest, line.Seq ?? 0), Capped = true }
        : this with
        {
            Highest = Math.Max(Highest, line.Seq ?? 0),
            Counts = Counts + new LogCounts(line.IsError ? 1 : 0, line.IsWarn ? 1 : 0),
            FirstErrorOffset = FirstErrorOffset ?? (line.IsError ? at : null),
        };

    /// <summary>The log after a stored line of the job read back: the attempt's own shipped lines count, and the markers.</summary>
    public AttemptLog Recovered(ShippedLine line, int attempt, long offset) => line switch
    {
        { Seq: null, IsCapMarker: true } => this with { Capped = true },
        { Seq: null } when line.Attempt == attempt && line.LateAttempt == attempt => this with { LateMarked = true },
        { Seq: > 0 } when line.Attempt == attempt => Stored(line, offset),
        _ => this,
    };
}
