namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>Key names whose values are secrets, case- and separator-insensitive (api_key, Api-Key, APIKEY ...).</summary>
public static class SecretKeys
{
    // A key is secret when, without separators, it ends with one of these: HF_TOKEN, db.password, x-api-key ...
    // "Ends with" keeps max_tokens, tokenizer and author readable.
    private static readonly string[] Endings =
    [
        "password", "passwd", "passphrase", "secret", "secrets", "token", "apikey", "authorization", "auth",
        "cookie", "credential", "credentials", "privatekey", "accesskey", "secretkey", "clientsecret", "signature",
    ];

    /// <summary>The words as they appear in keys, for the free-text rule.</summary>
    internal const string KeyPattern =
        @"(?:pass(?:wd|word|phrase)|secrets?|token|api[_.\-]?key|authorization|auth|(?:set[_\-])?cookie|credentials?|private[_.\-]?key|access[_.\-]?key|secret[_.\-]?key|client[_.\-]?secret|signature)";

    public static bool IsSecret(string? key)
    {
        if (string.IsNullOrEmpty(key))
            return false;
        Span<char> normalized = stackalloc char[Math.Min(key.Length, 128)];
        var n = 0;
        foreach (var c in key.AsSpan(0, Math.Min(key.Length, 128)))
            if (char.IsLetterOrDigit(c))
                normalized[n++] = char.ToLowerInvariant(c);
        var k = normalized[..n];
        foreach (var ending in Endings)
            if (k.EndsWith(ending, StringComparison.Ordinal))
                return true;
        return false;
    }
}
