namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// The one rule for key names whose values are secrets. It serves every place a key meets a value: JSON data and log
/// properties, span tags, configuration keys, job inputs, and the key/value pairs the text scanner
/// (<see cref="KeyValueRule"/>) finds in messages, stack traces and tool output — so a key means the same in all of them.
/// <para>
/// A key is read as words: split on any character that is not a letter or digit (<c>_ - . :</c> …) and where camelCase
/// changes case (<c>hfToken</c> → hf, token; <c>APIKey</c> → api, key). Read left to right, a <b>secret word</b> makes
/// the key secret, and a <b>descriptor</b> after it makes it a setting about the secret instead:
/// </para>
/// <list type="bullet">
/// <item>secret words: <c>token</c>, <c>secret(s)</c>, <c>password</c>, <c>passwd</c>, <c>passphrase</c>, <c>pwd</c>,
/// <c>auth</c>, <c>authorization</c>, <c>credential(s)</c>, <c>cookie</c>, <c>signature</c>; <c>pwd</c> only after another
/// word (<c>db_pwd</c>: <c>PWD</c> alone is the shell's working directory); <c>key(s)</c> only after
/// <c>api</c>, <c>access</c>, <c>private</c>, <c>secret</c> or <c>client</c>; run-together forms that end in one
/// (<c>APIKEY</c>, <c>accesstoken</c>, <c>xpassword</c>).</item>
/// <item>descriptors: <c>count</c>, <c>limit</c>, <c>length</c>, <c>type</c>, <c>name</c>, <c>id</c>, <c>url</c>,
/// <c>path</c>, <c>file</c>, <c>expiry</c>, <c>ttl</c>, <c>sock</c> … (<see cref="Descriptors"/>).</item>
/// </list>
/// Secret: <c>api_key_openai</c>, <c>api_key_comfy_org</c>, <c>aws_secret_access_key</c>, <c>x-api-key</c>,
/// <c>hfToken</c>, <c>Set-Cookie</c>, <c>HF_TOKEN</c>, <c>db.password</c>. Not secret: <c>token_count</c>,
/// <c>max_tokens</c>, <c>keyboard</c>, <c>primary_key</c>, <c>key_frame</c>, <c>secret_name</c>, <c>author</c>,
/// <c>SSH_AUTH_SOCK</c>. Why words and not "ends with": a provider's name after the key word (<c>api_key_openai</c>)
/// still names a credential, while a descriptor (<c>token_count</c>) names a number about one. The examples are the
/// tests (RedactorTests).
/// </summary>
public static class SecretKeys
{
    // Whole words, or the end of a run-together word ("APIKEY", "accesstoken").
    private static readonly string[] SecretWords =
    [
        "token", "secret", "secrets", "password", "passwd", "passphrase", "credential", "credentials", "cookie", "authorization",
        "apikey", "apikeys", "accesskey", "privatekey", "secretkey", "clientsecret",
    ];

    // Whole words only: as endings they would catch "oauth" alone, "cwd" ... (compounds with them are split by case or separator).
    private static readonly string[] ExactSecretWords = ["auth", "pwd", "signature"];

    // "key" is a secret only after one of these: api_key, access-key, privateKey; not primary_key, cacheKey, key_frame.
    private static readonly string[] KeyQualifiers = ["api", "access", "private", "secret", "client"];

    /// <summary>Words after a secret word that make the key a setting about the secret: token_count, secret_name, auth_url.</summary>
    internal static readonly string[] Descriptors =
    [
        "count", "counts", "num", "number", "limit", "limits", "length", "len", "size", "min", "max", "type", "types", "kind",
        "name", "names", "id", "ids", "path", "paths", "file", "files", "dir", "url", "uri", "endpoint", "method", "mode",
        "expiry", "expires", "expiration", "ttl", "timeout", "lifetime", "usage", "budget", "rate", "index", "sock", "socket",
        "enabled", "required", "prefix", "version", "policy", "provider", "format", "hint", "reset", "field", "label", "env",
    ];

    /// <summary>
    /// What text must contain (in any case) for a key to be secret at all: every secret word holds one of these.
    /// Few and short, so the fast path's case-insensitive search stays vectorised.
    /// </summary>
    internal static readonly string[] Triggers = ["pass", "pwd", "secret", "token", "auth", "cookie", "credential", "signature", "key"];

    // The scanner asks about each key it meets by span (no cache): one vectorised search turns most of them away.
    private static readonly System.Buffers.SearchValues<string> TriggerSearch = System.Buffers.SearchValues.Create(Triggers, StringComparison.OrdinalIgnoreCase);

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
        if (key.IsEmpty || key.SequenceEqual(JobLogs.Jobs.SecretReference.Key) || key.IndexOfAny(TriggerSearch) < 0)
            return false;
        Span<char> word = stackalloc char[32];
        var secret = false;
        var previousWasQualifier = false;
        var start = 0;
        var first = true;
        while (NextWord(key, ref start) is var (from, length) && length > 0)
        {
            var n = Math.Min(length, word.Length);
            key.Slice(from + length - n, n).ToLowerInvariant(word); // a long run-together word: its end decides
            var w = word[..n];
            if (IsSecretWord(w) && !(first && w is "pwd") || previousWasQualifier && w is "key" or "keys")
                secret = true;
            else if (Contains(Descriptors, w))
                secret = false;
            previousWasQualifier = Contains(KeyQualifiers, w);
            first = false;
        }
        return secret;
    }

    private static bool IsSecretWord(ReadOnlySpan<char> word)
    {
        foreach (var secret in SecretWords)
            if (word.EndsWith(secret, StringComparison.Ordinal))
                return true;
        return Contains(ExactSecretWords, word);
    }

    private static bool Contains(string[] words, ReadOnlySpan<char> word)
    {
        foreach (var w in words)
            if (word.SequenceEqual(w))
                return true;
        return false;
    }

    /// <summary>The next word of <paramref name="key"/> at or after <paramref name="start"/>: letters and digits, cut where camelCase changes case.</summary>
    private static (int From, int Length) NextWord(ReadOnlySpan<char> key, ref int start)
    {
        while (start < key.Length && !char.IsAsciiLetterOrDigit(key[start]))
            start++;
        var from = start;
        while (start < key.Length && char.IsAsciiLetterOrDigit(key[start]))
        {
            start++;
            if (start < key.Length && IsWordBreak(key, start))
                break;
        }
        return (from, start - from);
    }

    // hf|Token, API|Key: a capital after a small letter starts a word, and so does the last capital of a run before a small letter.
    private static bool IsWordBreak(ReadOnlySpan<char> key, int i) =>
        char.IsAsciiLetterUpper(key[i]) && (char.IsAsciiLetterLower(key[i - 1])
            || char.IsAsciiLetterUpper(key[i - 1]) && i + 1 < key.Length && char.IsAsciiLetterLower(key[i + 1]));

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
