using System.Text.Json;
using JobLogs.Jobs;

namespace JobLogs.Web.Jobs;

/// <summary>
/// A job's input and output summarized for its page: top-level fields as short lines, output assets (files the job
/// wrote under its assets folder) with a link through the Api, and the whole JSON cut to a readable length.
/// </summary>
public sealed record JobIo(IReadOnlyList<(string Name, string Value)> Fields, IReadOnlyList<JobAsset> Assets, string Json)
{
    private const int MaxValue = 160;
    private const int MaxJson = 4000;
    private static readonly JsonSerializerOptions Indented = new(JobLogs.Json.Options) { WriteIndented = true };

    public static JobIo Of(Job job, JsonElement value)
    {
        var assets = ReadAssets(job, value);
        var fields = value.ValueKind == JsonValueKind.Object
            ? value.EnumerateObject().Where(p => !(p.Name == "assets" && assets.Count > 0)).Take(24).Select(p => (p.Name, Short(p.Value))).ToList()
            : [("value", Short(value))];
        var text = JsonSerializer.Serialize(value, Indented);
        return new JobIo(fields, assets, text.Length <= MaxJson ? text : text[..MaxJson] + $"\n… ({text.Length - MaxJson} more characters)");
    }

    /// <summary><c>output.assets[]</c>: each with a path relative to the job's assets folder (or to the data root), a size and a content type.</summary>
    private static List<JobAsset> ReadAssets(Job job, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object || !value.TryGetProperty("assets", out var list) || list.ValueKind != JsonValueKind.Array)
            return [];
        var prefix = $"projects/{job.ProjectId}/files/assets/{job.Id}/";
        var assets = new List<JobAsset>();
        foreach (var item in list.EnumerateArray().Take(100))
        {
            var path = item.ValueKind == JsonValueKind.String ? item.GetString() : Text(item, "path") ?? Text(item, "relativePath") ?? Text(item, "file");
            if (string.IsNullOrEmpty(path))
                continue;
            path = path.StartsWith(prefix, StringComparison.Ordinal) ? path[prefix.Length..] : path.TrimStart('/');
            // Retention removed the files (the Api answers 410): the asset is named, not linked.
            var url = job.LogRemoved is not null ? null
                : $"/api/projects/{job.ProjectId}/jobs/{job.Id}/assets/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";
            var contentType = Text(item, "contentType") ?? Text(item, "mimeType") ?? "";
            var size = Number(item, "size") ?? Number(item, "bytes");
            assets.Add(new JobAsset(path, url, contentType, size,
                contentType.StartsWith("image/", StringComparison.Ordinal) || path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)
                || path.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".webp", StringComparison.OrdinalIgnoreCase)));
        }
        return assets;
    }

    private static string Short(JsonElement value)
    {
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Object or JsonValueKind.Array => JsonSerializer.Serialize(value, JobLogs.Json.Options),
            _ => value.GetRawText(),
        };
        return text.Length <= MaxValue ? text : text[..MaxValue] + "…";
    }

    private static string? Text(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Number(JsonElement item, string name) =>
        item.ValueKind == JsonValueKind.Object && item.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;
}

/// <summary>One output file: where it is (relative to the job's assets folder), where the browser gets it (null once retention removed it), and whether it is an image.</summary>
public sealed record JobAsset(string Path, string? Url, string ContentType, long? Size, bool IsImage);
