using System.Globalization;
using JobLogs.Api.Extensions;

namespace JobLogs.Api.Logs;

/// <summary>
/// The query of a tail or stream request, validated: each bad value is named with what is allowed.
/// <list type="bullet">
/// <item><c>tailBytes</c>: the window's size, 1 to 1,048,576 bytes (default 80,000; a download has none unless given);</item>
/// <item><c>after</c> / <c>before</c>: a byte offset to read forward from or backward to (the tail is <c>before</c> the end);</item>
/// <item><c>minLevel</c> (one level and up) or <c>level</c> (a set), <c>component</c>, <c>attempt</c>: comma-separated or repeated;</item>
/// <item><c>q</c>: text looked for, case-insensitively, in the message and in data;</item>
/// <item><c>format</c> <c>json</c> (default) or <c>jsonl</c> (also <c>Accept: application/x-ndjson</c>); <c>download=true</c> for
/// the raw JSONL as an attachment.</item>
/// </list>
/// A stream takes <c>after</c> (or the <c>Last-Event-ID</c> header) and the filters.
/// </summary>
internal sealed record TailQuery(int? TailBytes, long? After, long? Before, LogFilter Filter, bool RawJsonl, bool Download, bool IsStream = false)
{
    public const int DefaultTailBytes = 80_000;
    public const int MaxTailBytes = 1_048_576;
    public const int MaxTextLength = 200;
    public const int MaxAttempt = 100_000;

    private static readonly string[] FilterNames = ["minLevel", "level", "component", "attempt", "q"];
    private static readonly string[] TailNames = ["tailBytes", "after", "before", "format", "download", .. FilterNames];
    private static readonly string[] StreamNames = ["after", .. FilterNames];

    /// <summary>The window's size: what was asked, else the default (a download without one reads its whole range).</summary>
    public int WindowBytes => TailBytes ?? DefaultTailBytes;

    public static (TailQuery? Query, Dictionary<string, string[]>? Errors) ParseTail(HttpRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        request.RefuseUnknown(TailNames, errors);
        int? tailBytes = null;
        if (request.Single("tailBytes", errors) is { } text)
        {
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes is >= 1 and <= MaxTailBytes)
                tailBytes = bytes;
            else
                errors["tailBytes"] = [$"tailBytes must be a whole number of bytes from 1 to {MaxTailBytes}; got '{QueryParameters.Shorten(text)}'."];
        }
        var after = Offset(request, "after", errors);
        var before = Offset(request, "before", errors);
        if (after is not null && before is not null)
            errors["before"] = ["Give after (to read forward) or before (to read backward), not both."];

        var format = request.Single("format", errors) ?? "";
        if (format is not ("" or "json" or "jsonl" or "ndjson"))
            errors["format"] = [$"format must be json or jsonl; got '{QueryParameters.Shorten(format)}'."];
        var download = request.Single("download", errors) switch
        {
            null or "false" => false,
            "true" => true,
            var other => Error(errors, "download", $"download must be true or false; got '{QueryParameters.Shorten(other)}'."),
        };
        if (download && format == "json")
            errors["format"] = ["A download is raw JSONL: leave format out or give format=jsonl."];
        var raw = download || format is "jsonl" or "ndjson"
            || format.Length == 0 && request.Headers.Accept.Any(a => a?.Contains(TailResult.JsonlContentType, StringComparison.OrdinalIgnoreCase) == true);

        var filter = ParseFilter(request, errors);
        return errors.Count > 0 ? (null, errors) : (new TailQuery(tailBytes, after, before, filter, raw, download), null);
    }

    /// <summary>A stream's start (<c>Last-Event-ID</c> wins over <c>after</c>: it is where a dropped stream resumes) and filters.</summary>
    public static (TailQuery? Query, Dictionary<string, string[]>? Errors) ParseStream(HttpRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        request.RefuseUnknown(StreamNames, errors);
        var after = Offset(request, "after", errors);
        var lastEventId = request.Headers["Last-Event-ID"];
        if (lastEventId.Count > 0)
        {
            var (offset, problem) = LogOffset.Parse("Last-Event-ID", lastEventId.ToString());
            if (problem is not null)
                errors["Last-Event-ID"] = [problem];
            after = offset;
        }
        var filter = ParseFilter(request, errors);
        return errors.Count > 0 ? (null, errors) : (new TailQuery(null, after, null, filter, false, false, IsStream: true), null);
    }

    private static LogFilter ParseFilter(HttpRequest request, Dictionary<string, string[]> errors)
    {
        IReadOnlySet<string>? levels = null;
        if (request.Single("minLevel", errors) is { } minLevel)
        {
            if (LogFilter.Levels.Contains(minLevel))
                levels = LogFilter.AtLeast(minLevel);
            else
                errors["minLevel"] = [$"minLevel must be one of {string.Join(", ", LogFilter.Levels)}; got '{QueryParameters.Shorten(minLevel)}'."];
        }
        if (request.Set("level", LogFilter.Levels, errors) is { } set)
        {
            if (levels is not null)
                errors["level"] = ["Give minLevel (a level and above) or level (a set of levels), not both."];
            levels = set;
        }
        var components = request.Set("component", LogFilter.Components, errors);

        HashSet<int>? attempts = null;
        foreach (var item in request.Items("attempt"))
        {
            if (int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var attempt) && attempt <= MaxAttempt)
                (attempts ??= []).Add(attempt);
            else
                errors["attempt"] = [$"attempt must be attempt numbers from 0 to {MaxAttempt}, comma-separated; got '{QueryParameters.Shorten(item)}'."];
        }

        var text = request.Single("q", errors);
        if (text is { Length: > MaxTextLength })
            errors["q"] = [$"q is {text.Length} characters long; at most {MaxTextLength} are allowed."];
        return levels is null && components is null && attempts is null && string.IsNullOrEmpty(text)
            ? LogFilter.None
            : new LogFilter(levels, components, attempts, text);
    }

    internal static long? Offset(HttpRequest request, string name, Dictionary<string, string[]> errors)
    {
        if (request.Single(name, errors) is not { } text)
            return null;
        var (offset, problem) = LogOffset.Parse(name, text);
        if (problem is null)
            return offset;
        errors[name] = [problem];
        return null;
    }

    private static bool Error(Dictionary<string, string[]> errors, string name, string problem)
    {
        errors[name] = [problem];
        return false;
    }
}
