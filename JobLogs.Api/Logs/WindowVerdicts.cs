using System.IO.Hashing;
using Microsoft.Extensions.Caching.Memory;

namespace JobLogs.Api.Logs;

/// <summary>
/// Which lines of a window are not one whole JSON object, remembered by the window's content. Checking every line is
/// the tail response's biggest cost (one Utf8JsonReader pass per line, about eight times the cost of reading the
/// window), while the same windows are asked for again and again — a job page reloaded, several people on one failed
/// job, paging back and forth — and a log's lines never change once written. Hashing a window costs a small part of
/// checking it, and a window whose bytes differ in any way is another key, so no verdict outlives what it judged.
/// </summary>
internal sealed class WindowVerdicts : IDisposable
{
    /// <summary>Windows remembered at most: an entry is a hash and a (usually empty) list, about a megabyte in all.</summary>
    public const int Capacity = 4096;

    private static readonly MemoryCacheEntryOptions Entry = new() { Size = 1 };
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = Capacity });

    /// <summary>The indexes into <see cref="LogWindow.Lines"/> of the lines that come back malformed, in order.</summary>
    public int[] Malformed(LogWindow window)
    {
        // A cut line is malformed by where the window fell, not by its bytes: such a window is judged as it comes.
        if (window.Lines.Any(line => line.Cut))
            return Check(window);
        var key = XxHash128.HashToUInt128(window.ScannedBytes);
        if (_cache.TryGetValue(key, out int[]? known))
            return known!;
        var found = Check(window);
        _cache.Set(key, found, Entry);
        return found;
    }

    /// <summary>Forgets every window (benchmarks measure the first reading of a window this way).</summary>
    public void Clear() => _cache.Clear();

    public void Dispose() => _cache.Dispose();

    private static int[] Check(LogWindow window)
    {
        List<int>? malformed = null;
        for (var i = 0; i < window.Lines.Count; i++)
            if (!LogFilter.None.Judge(window.Bytes(window.Lines[i]), window.Lines[i].Cut).IsEntry)
                (malformed ??= []).Add(i);
        return malformed is null ? [] : [.. malformed];
    }
}
