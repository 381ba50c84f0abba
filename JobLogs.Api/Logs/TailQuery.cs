using System.Globalization;

namespace JobLogs.Api.Logs;

/// <summary>The query of a tail request, validated: each bad value is named with what is allowed.</summary>
internal sealed record TailQuery(int TailBytes, bool RawJsonl)
{
    public const int DefaultTailBytes = 80_000;
    public const int MaxTailBytes = 1_048_576;

    public static (TailQuery? Query, Dictionary<string, string[]>? Errors) Parse(HttpRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        var tailBytes = DefaultTailBytes;
        var text = request.Query["tailBytes"];
        if (text.Count > 1)
            errors["tailBytes"] = ["tailBytes is given more than once."];
        else if (text.Count == 1 && (!int.TryParse(text[0], NumberStyles.None, CultureInfo.InvariantCulture, out tailBytes) || tailBytes is < 1 or > MaxTailBytes))
            errors["tailBytes"] = [$"tailBytes must be a whole number of bytes from 1 to {MaxTailBytes}; got '{Shorten(text[0])}'."];

        var format = request.Query["format"].ToString();
        var raw = format is "jsonl" or "ndjson"
            || request.Headers.Accept.Any(a => a?.Contains(TailResult.JsonlContentType, StringComparison.OrdinalIgnoreCase) == true);
        if (format is not ("" or "json" or "jsonl" or "ndjson"))
            errors["format"] = [$"format must be json or jsonl; got '{Shorten(format)}'."];

        return errors.Count > 0 ? (null, errors) : (new TailQuery(tailBytes, raw), null);
    }

    private static string Shorten(string? value) => value is null ? "" : value.Length > 40 ? value[..40] + "…" : value;
}
