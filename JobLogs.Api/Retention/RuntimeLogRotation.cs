using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace JobLogs.Api.Retention;

/// <summary>
/// Rotates the service logs (backend, worker, web) by size; the Api is their one rotation owner. The current file is
/// always <c>&lt;service&gt;.jsonl</c>; a rotation renames it to <c>&lt;service&gt;.&lt;generation&gt;.jsonl</c>, and writers in
/// every process reopen by path. The current file's generation is one more than the newest rotated one, so a cursor
/// "generation:offset" always names one file.
/// </summary>
internal sealed partial class RuntimeLogRotation(DataLayout layout, IOptions<RetentionOptions> options, ILogger<RuntimeLogRotation> logger)
{
    public static readonly IReadOnlyList<string> Services = ["backend", "worker", "web"];

    /// <summary>Rotates each service log past its size and removes the oldest rotated files; returns how many were rotated.</summary>
    public int RotateAll()
    {
        var rotated = 0;
        foreach (var service in Services)
            if (Rotate(service))
                rotated++;
        return rotated;
    }

    /// <summary>The rotated files of a service, oldest first, with their generation.</summary>
    public IReadOnlyList<(int Generation, string Path)> Rotated(string service)
    {
        if (!Directory.Exists(layout.RuntimeLogsDirectory))
            return [];
        return [.. Directory.EnumerateFiles(layout.RuntimeLogsDirectory, $"{service}.*.jsonl")
            .Select(path => (Match: RotatedName().Match(Path.GetFileName(path)), Path: path))
            .Where(f => f.Match.Success && f.Match.Groups["service"].Value == service)
            .Select(f => (int.Parse(f.Match.Groups["generation"].Value, CultureInfo.InvariantCulture), f.Path))
            .OrderBy(f => f.Item1)];
    }

    /// <summary>The generation of the current file.</summary>
    public int CurrentGeneration(string service) => Rotated(service) is { Count: > 0 } rotated ? rotated[^1].Generation + 1 : 0;

    private bool Rotate(string service)
    {
        var current = layout.RuntimeLog(service);
        var file = new FileInfo(current);
        if (!file.Exists || file.Length <= options.Value.RuntimeLogMaxBytes)
            return false;
        var generation = CurrentGeneration(service);
        var target = Path.Combine(layout.RuntimeLogsDirectory, $"{service}.{generation}.jsonl");
        File.Move(current, target);
        LogRotated(logger, service, file.Length, generation);
        foreach (var (old, path) in Rotated(service).SkipLast(options.Value.RuntimeLogFiles))
        {
            File.Delete(path);
            LogRemoved(logger, service, old);
        }
        return true;
    }

    [GeneratedRegex(@"^(?<service>[a-z]+)\.(?<generation>\d{1,9})\.jsonl$")]
    private static partial Regex RotatedName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Rotated the {Service} log at {Bytes} bytes; it is now generation {Generation}")]
    private static partial void LogRotated(ILogger logger, string service, long bytes, int generation);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed generation {Generation} of the {Service} log (retention keeps fewer files)")]
    private static partial void LogRemoved(ILogger logger, string service, int generation);
}
