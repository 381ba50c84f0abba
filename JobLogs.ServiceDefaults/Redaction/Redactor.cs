using System.Buffers;
using System.Text.RegularExpressions;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// The one redaction engine: every log entry, span, stdout/stderr tail and shown text passes through it.
/// It removes the secret values the configuration knows (and their encoded forms), well-known token shapes,
/// values of secret-named keys, credentials in URLs, and turns absolute weight paths into aliases and
/// paths under the data root into relative ones. Clean text (the common case) is returned as is, found
/// clean by one vectorised search for anything a rule could start from.
/// </summary>
public sealed partial class Redactor
{
    public const string Mask = "[REDACTED]";

    private readonly RedactionRule[] _rules;
    private readonly SearchValues<string> _triggers;

    public Redactor(RedactionSettings settings)
    {
        Settings = settings;
        var rules = new List<RedactionRule>();
        var secretForms = settings.SecretValues
            .Where(v => v.Length >= settings.MinSecretLength)
            .SelectMany(EncodedForms)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(v => v.Length)
            .ToArray();
        if (secretForms.Length > 0)
            rules.Add(new("configured-secret",
                new Regex(string.Join('|', secretForms.Select(Regex.Escape)), RegexOptions.CultureInvariant),
                _ => Mask));
        rules.Add(new("pem-private-key", PemRegex(), _ => "-----BEGIN PRIVATE KEY-----" + Mask + "-----END PRIVATE KEY-----"));
        rules.Add(new("url-credentials", UrlCredentialsRegex(), m => m.Groups["scheme"].Value + Mask + "@"));
        rules.Add(new("auth-scheme", AuthSchemeRegex(), m => m.Groups["scheme"].Value + " " + Mask));
        rules.Add(new("token-shape", TokenShapeRegex(), _ => Mask));
        rules.Add(new("secret-header", SecretHeaderRegex(), m => m.Groups["key"].Value + m.Groups["sep"].Value + Mask));
        rules.Add(new("secret-key", SecretKeyValueRegex(), m => m.Groups["value"].Value.StartsWith("[REDACTED", StringComparison.Ordinal) ? m.Value
            : m.Groups["key"].Value + m.Groups["sep"].Value + Mask));
        rules.Add(new("query-secret", QuerySecretRegex(), m => m.Groups["key"].Value + "=" + Mask));
        foreach (var (alias, root) in settings.WeightRoots.OrderByDescending(r => r.Value.Length))
            rules.Add(new("weight-path", PathPrefix(root), _ => "{" + alias + "}/"));
        if (settings.DataRoot is { } dataRoot)
            rules.Add(new("data-root-path", PathPrefix(dataRoot), _ => ""));
        _rules = [.. rules];

        string[] triggers =
        [
            .. secretForms, .. settings.WeightRoots.Values, .. (settings.DataRoot is { } d ? new[] { d } : []),
            "-----BEGIN", "://", "bearer", "basic", "token", "hf_", "sk-", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
            "xox", "AKIA", "ASIA", "eyJ", "pass", "secret", "key", "auth", "cookie", "credential", "signature", "sig=",
        ];
        _triggers = SearchValues.Create(triggers.Where(t => t.Length > 0).Distinct().ToArray(), StringComparison.OrdinalIgnoreCase);
    }

    public RedactionSettings Settings { get; }

    /// <summary>True when no rule could apply to <paramref name="text"/>: the fast path for clean text.</summary>
    public bool IsClean(ReadOnlySpan<char> text) => text.IndexOfAny(_triggers) < 0;

    /// <summary>
    /// <paramref name="text"/> with every secret replaced; the same instance when nothing was found.
    /// <paramref name="counts"/>, when given, receives how many values each rule replaced.
    /// </summary>
    public string Redact(string text, RedactionCounts? counts = null)
    {
        if (string.IsNullOrEmpty(text) || IsClean(text))
            return text;
        var result = text;
        foreach (var rule in _rules)
        {
            var replaced = 0;
            var next = rule.Pattern.Replace(result, m =>
            {
                var replacement = rule.Replace(m);
                if (replacement != m.Value)
                    replaced++;
                return replacement;
            });
            if (replaced > 0)
            {
                counts?.Add(rule.Id, replaced);
                result = next;
            }
        }
        return result;
    }

    /// <summary>The value of a property named <paramref name="key"/>: masked whole when the key is secret.</summary>
    public string RedactValue(string key, string value, RedactionCounts? counts = null)
    {
        if (SecretKeys.IsSecret(key) && value.Length > 0)
        {
            counts?.Add("secret-key", 1);
            return Mask;
        }
        return Redact(value, counts);
    }

    // A secret also leaks URL-encoded, in base64 (e.g. inside Basic credentials) and JSON-escaped.
    private static IEnumerable<string> EncodedForms(string value)
    {
        yield return value;
        yield return Uri.EscapeDataString(value);
        var bytes = System.Text.Encoding.UTF8.GetBytes(value);
        var base64 = Convert.ToBase64String(bytes);
        yield return base64.TrimEnd('=');
        yield return base64.TrimEnd('=').Replace('+', '-').Replace('/', '_');
        yield return System.Text.Json.JsonEncodedText.Encode(value).ToString();
    }

    private static Regex PathPrefix(string root) =>
        new(Regex.Escape(root.TrimEnd('/')) + "/", RegexOptions.CultureInvariant);

    [GeneratedRegex(@"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)", RegexOptions.CultureInvariant)]
    private static partial Regex PemRegex();

    [GeneratedRegex(@"(?<scheme>\b[a-zA-Z][a-zA-Z0-9+.\-]*://)(?<cred>[^/\s:@""']+:[^/\s@""']+)@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlCredentialsRegex();

    [GeneratedRegex(@"\b(?<scheme>Bearer|Basic|Token)\s+(?<token>[A-Za-z0-9\-._~+/]{8,}=*)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex AuthSchemeRegex();

    [GeneratedRegex(
        @"\bhf_[A-Za-z0-9]{20,}|\bsk-(?:proj-|ant-)?[A-Za-z0-9_\-]{20,}|\bgh[pousr]_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{30,}" +
        @"|\bxox[abposr]-[A-Za-z0-9\-]{10,}|\b(?:AKIA|ASIA)[A-Z0-9]{16}\b|\beyJ[A-Za-z0-9_\-]{5,}\.eyJ[A-Za-z0-9_\-]{5,}\.[A-Za-z0-9_\-]{5,}",
        RegexOptions.CultureInvariant)]
    private static partial Regex TokenShapeRegex();

    // Header lines whose whole value is a secret: "Cookie: a=b; c=d", "Authorization: Digest ...".
    [GeneratedRegex(@"(?im)^(?<key>(?:proxy-)?authorization|(?:set-)?cookie|x-api-key)(?<sep>[ \t]*:[ \t]*)(?<value>[^\r\n]+)", RegexOptions.CultureInvariant)]
    private static partial Regex SecretHeaderRegex();

    // key=value, key: value, "key": "value" and --key value-less forms where the key name is secret.
    [GeneratedRegex(
        @"(?<key>\b[A-Za-z0-9_.\-]*?" + SecretKeys.KeyPattern + @")(?<sep>""?[ \t]*[=:][ \t]*""?)(?<value>(?:Bearer|Basic|Token)[ \t]+[^\s""',;&]+|[^\s""',;&}\]]+)",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SecretKeyValueRegex();

    [GeneratedRegex(@"(?<=[?&])(?<key>key|sig|code|access_token|id_token)=(?<value>[^&\s#""']+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex QuerySecretRegex();
}
