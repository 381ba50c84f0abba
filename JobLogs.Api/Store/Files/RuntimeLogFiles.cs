using System.Globalization;
using System.Text.RegularExpressions;

namespace JobLogs.Api.Store.Files;

/// <summary>
/// Rotates a service log (backend, worker, web) by size; the Api is its one rotation owner. The current file is always
/// <c>&lt;service&gt;.jsonl</c>; a rotation renames it to <c>&lt;service&gt;.&lt;generation&gt;.jsonl</c>, and writers in every
/// process reopen by path. The current file's generation is one more than the newest rotated one, so a cursor
/// "generation:offset" always names one file.
/// </summary>
internal sealed partial class RuntimeLogFiles(DataLayout layout)
{
    /// <summary>Rotates the service's log past <paramref name="maxBytes"/> and removes all but <paramref name="keep"/> rotated files.</summary>
    public RuntimeLogTrim? Rotate(string service, long maxBytes, int keep)
    {
        var current = layout.RuntimeLog(service);
        var file = new FileInfo(current);
        if (!file.Exists || file.Length <= maxBytes)
            return null;
        var generation = Rotated(service) is { Count: > 0 } rotated ? rotated[^1].Generation + 1 : 0;
        File.Move(current, Path.Combine(layout.RuntimeLogsDirectory, $"{service}.{generation}.jsonl"));
        var removed = new List<int>();
        foreach (var (old, path) in Rotated(service).SkipLast(keep))
        {
            File.Delete(path);
            removed.Add(old);
        }
        return new RuntimeLogTrim(file.Length, generation, removed);
    }

    /// <summary>The rotated files of a service, oldest first, with their generation.</summary>
    private List<(int Generation, string Path)> Rotated(string service)
    {
        if (!Directory.Exists(layout.RuntimeLogsDirectory))
            return [];
        return [.. Directory.EnumerateFiles(layout.RuntimeLogsDirectory, $"{service}.*.jsonl")
            .Select(path => (Match: RotatedName().Match(Path.GetFileName(path)), Path: path))
            .Where(f => f.Match.Success && f.Match.Groups["service"].Value == service)
            .Select(f => (int.Parse(f.Match.Groups["generation"].Value, CultureInfo.InvariantCulture), f.Path))
            .OrderBy(f => f.Item1)];
    }

    [GeneratedRegex(@"^(?<service>[a-z]+)\.(?<generation>\d{1,9})\.jsonl$")]
    private static partial Regex RotatedName();
}
