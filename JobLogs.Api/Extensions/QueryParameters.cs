using System.Globalization;

namespace JobLogs.Api.Extensions;

/// <summary>Reading a request's query strictly: single values once, sets comma-separated or repeated, unknown names refused.</summary>
internal static class QueryParameters
{
    /// <summary>The parameter's one value, or null when absent; a 400 entry when it is given twice.</summary>
    public static string? Single(this HttpRequest request, string name, Dictionary<string, string[]> errors)
    {
        var values = request.Query[name];
        if (values.Count > 1)
            errors[name] = [$"{name} is given more than once."];
        return values.Count == 1 ? values[0] : null;
    }

    /// <summary>A set-valued parameter's items: repeated, comma-separated, or both.</summary>
    public static IEnumerable<string> Items(this HttpRequest request, string name) =>
        request.Query[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries)).Where(v => v.Length > 0);

    /// <summary>A set-valued parameter whose items must each be one of <paramref name="allowed"/>; null when absent.</summary>
    public static HashSet<string>? Set(this HttpRequest request, string name, IReadOnlyList<string> allowed, Dictionary<string, string[]> errors)
    {
        HashSet<string>? set = null;
        foreach (var item in request.Items(name))
        {
            if (allowed.Contains(item))
                (set ??= []).Add(item);
            else
                errors[name] = [$"{name} must be one or more of {string.Join(", ", allowed)}, comma-separated; got '{Shorten(item)}'."];
        }
        return set;
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/>, or <paramref name="fallback"/> when absent.</summary>
    public static int Number(this HttpRequest request, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        if (request.Single(name, errors) is not { } text)
            return fallback;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        errors[name] = [$"{name} must be a whole number from {min} to {max}; got '{Shorten(text)}'."];
        return fallback;
    }

    /// <summary>
    /// Refuses parameters the route does not take: a misspelt filter would otherwise be ignored without a word,
    /// and the reader would trust a filter that is not applied.
    /// </summary>
    public static void RefuseUnknown(this HttpRequest request, IReadOnlyCollection<string> known, Dictionary<string, string[]> errors)
    {
        foreach (var key in request.Query.Keys)
            if (!known.Contains(key, StringComparer.OrdinalIgnoreCase))
                errors[Shorten(key)] = [$"Unknown parameter '{Shorten(key)}'; this route takes {string.Join(", ", known)}."];
    }

    /// <summary>A value as it may be echoed in an error: short, without control characters.</summary>
    public static string Shorten(string? value) =>
        value is null ? "" : string.Concat((value.Length > 40 ? value[..40] + "…" : value).Select(c => char.IsControl(c) ? '?' : c));
}
