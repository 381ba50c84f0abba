namespace JobLogs.Workers;

/// <summary>
/// An output file the Api stored for a job (the answer to <see cref="WorkerRoutes.Output"/>): where it is, relative to
/// the data root, how many bytes, and the content type it was sent with. A job's output lists these under "assets".
/// </summary>
public sealed record UploadedOutput(string Path, long Bytes, string ContentType);

/// <summary>What the Api takes as an output: the content types it accepts and the names it stores under.</summary>
public static class OutputFiles
{
    /// <summary>Anything else is sent as <c>application/octet-stream</c>, which is always accepted (and always downloaded, never shown).</summary>
    public const string Binary = "application/octet-stream";

    /// <summary>The content types an output may be sent with: what a job puts out, and what a browser may show of it.</summary>
    public static readonly IReadOnlySet<string> ContentTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "image/png", "image/jpeg", "image/webp", "image/gif",
        "video/mp4", "video/webm",
        "audio/wav", "audio/mpeg", "audio/flac", "audio/ogg",
        "application/json", "text/plain", "text/csv",
        Binary,
    };

    public const int MaxNameLength = 128;

    /// <summary>Why <paramref name="name"/> cannot name an output (a plain file name, no folders), or null when it can.</summary>
    public static string? NameProblem(string? name) => name switch
    {
        null or "" => "An output needs a name.",
        { Length: > MaxNameLength } => $"An output's name must be at most {MaxNameLength} characters; this one has {name.Length}.",
        _ when name.Contains('/') || name.Contains('\\') => $"An output's name is a plain file name, without '/' or '\\': '{name}' is not.",
        _ when name.Contains("..") => $"An output's name must not contain '..': '{name}' does.",
        _ when name.StartsWith('.') => $"An output's name must not start with '.': '{name}' does.",
        _ when name.Any(char.IsControl) => "An output's name must not contain control characters.",
        _ when name.Trim().Length != name.Length => $"An output's name must not start or end with spaces: '{name}' does.",
        _ => null,
    };
}
