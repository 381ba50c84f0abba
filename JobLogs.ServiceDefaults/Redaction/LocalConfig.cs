using System.Text.Json;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// config/local.json (gitignored; config/local.example.json shows its shape): this machine's weight roots,
/// <c>{ "weightRoots": { "models": "/abs/path", ... } }</c>. An absent file is fine: there is nothing to alias.
/// </summary>
internal static class LocalConfig
{
    public sealed record Contents(IReadOnlyDictionary<string, string> WeightRoots, string? Problem);

    private static readonly Contents Empty = new(new Dictionary<string, string>(), null);

    /// <summary>The weight roots, or a sentence saying what is wrong with the file (the service then refuses to start).</summary>
    public static Contents Read(string? path)
    {
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
            return Empty;
        var roots = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            if (!document.RootElement.TryGetProperty("weightRoots", out var weightRoots))
                return Empty;
            if (weightRoots.ValueKind != JsonValueKind.Object)
                return Empty with { Problem = $"{path}: \"weightRoots\" must be an object of alias to absolute folder." };
            foreach (var root in weightRoots.EnumerateObject())
            {
                if (!Ids.IsValid(root.Name))
                    return Empty with { Problem = $"{path}: the weight root alias '{root.Name}' must be 1 to 64 letters, digits, '-' or '_'." };
                if (root.Value.ValueKind != JsonValueKind.String || root.Value.GetString() is not { Length: > 1 } folder || !Path.IsPathFullyQualified(folder))
                    return Empty with { Problem = $"{path}: the weight root '{root.Name}' must be an absolute folder path." };
                roots[root.Name] = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
            }
            return new Contents(roots, null);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return Empty with { Problem = $"{path} cannot be read as JSON: {ex.Message}" };
        }
    }
}
