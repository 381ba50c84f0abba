namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// Key names whose values are secrets, case- and separator-insensitive (api_key, Api-Key, APIKEY, x-api-key ...).
/// The one list behind every key rule: JSON data and log properties, headers, query strings, KEY=VALUE text, span
/// tags, configuration keys and job inputs.
/// </summary>
public static class SecretKeys
{
    // A key is secret when, without separators, it ends with one of these: HF_TOKEN, db.password, x-api-key ...
    // "Ends with" keeps max_tokens, tokenizer, author, passed and key readable. A '|' marks where a separator may
    // stand between the words of a compound ("api_key", "api-key", "apikey").
    private static readonly string[] Endings =
    [
        "password", "passwd", "passphrase", "secret", "secrets", "token", "api|key", "authorization", "auth",
        "cookie", "credential", "credentials", "private|key", "access|key", "secret|key", "client|secret", "signature",
    ];

    private static readonly string[] Normalized = [.. Endings.Select(e => e.Replace("|", ""))];

    /// <summary>The key words as they appear in text, for the free-text rules: the key must end with one of them.</summary>
    internal static readonly string KeyWordPattern = "(?:" + string.Join('|', Endings
        .OrderByDescending(e => e.Length)
        .Select(e => e.Replace("|", "[_.\\-]?"))) + ")";

    /// <summary>
    /// What text must contain (in any case) for a key rule to apply at all: every ending above holds one of these words.
    /// Few and short, so the fast path's case-insensitive search stays vectorised.
    /// </summary>
    internal static readonly string[] Triggers = ["pass", "secret", "token", "auth", "cookie", "credential", "signature", "key"];

    // Values that say there is no secret: masking them would only blind the log.
    private static readonly HashSet<string> Placeholders = new(StringComparer.OrdinalIgnoreCase)
    {
        "null", "none", "nil", "true", "false", "undefined", "disabled", "enabled", "required", "optional", "missing", "unset",
        "empty", "n/a", "***", "****", "*****", "xxx", "<redacted>", "redacted", Redactor.Mask,
    };

    // Log property and tag names repeat endlessly: the answer is kept per name, up to a bound (data keys can be anything).
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> Known = new(StringComparer.Ordinal);

    public static bool IsSecret(string? key)
    {
        if (key is null)
            return false;
        if (Known.TryGetValue(key, out var secret))
            return secret;
        secret = IsSecret(key.AsSpan());
        if (Known.Count < 4096)
            Known.TryAdd(key, secret);
        return secret;
    }

    public static bool IsSecret(ReadOnlySpan<char> key)
    {
        // A reference in a job input, {"$secret": "NAME"}, names a secret; it does not hold one.
        if (key.IsEmpty || key.SequenceEqual(JobLogs.Jobs.SecretReference.Key))
            return false;
        Span<char> normalized = stackalloc char[64];
        var n = 0;
        // The ending decides, so only the key's last characters matter.
        for (var i = key.Length - 1; i >= 0 && n < normalized.Length; i--)
            if (char.IsAsciiLetterOrDigit(key[i]))
                normalized[normalized.Length - ++n] = char.ToLowerInvariant(key[i]);
        var k = normalized[^n..];
        foreach (var ending in Normalized)
            if (k.EndsWith(ending, StringComparison.Ordinal))
                return true;
        return false;
    }

    /// <summary>True for values that stand for "no secret here" (null, none, true, ***): a key rule leaves them readable.</summary>
    public static bool IsPlaceholder(ReadOnlySpan<char> value)
    {
        value = value.Trim();
        // "Bearer [REDACTED]": an earlier rule took the credential already.
        foreach (var scheme in (ReadOnlySpan<string>)["Bearer ", "Basic ", "Token "])
            if (value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
                value = value[scheme.Length..].TrimStart();
        return value.IsEmpty || value.StartsWith(Redactor.Mask, StringComparison.Ordinal)
            || Placeholders.GetAlternateLookup<ReadOnlySpan<char>>().Contains(value);
    }
}
