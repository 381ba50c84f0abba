namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// Decides which progress messages become log entries: a node's progress is logged at each quarter of its steps and
/// at least every <c>interval</c> in between, so a 1,000-step sampler writes a handful of lines, not a thousand.
/// </summary>
internal sealed class ProgressLog(TimeSpan interval, TimeProvider time)
{
    private readonly Dictionary<string, (int Quarter, long At)> _last = new(StringComparer.Ordinal);

    public bool ShouldLog(string node, double value, double max)
    {
        if (max <= 0)
            return false;
        var quarter = (int)Math.Clamp(Math.Floor(value / max * 4), 0, 4);
        var now = time.GetTimestamp();
        if (!_last.TryGetValue(node, out var last))
        {
            // A node's first progress message only starts its clock, unless it is already the end.
            _last[node] = (quarter == 4 ? 4 : 0, now);
            return quarter == 4;
        }
        if (quarter <= last.Quarter && time.GetElapsedTime(last.At, now) < interval)
            return false;
        _last[node] = (Math.Max(quarter, last.Quarter), now);
        return true;
    }
}
