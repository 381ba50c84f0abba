using System.Buffers;
using JobLogs.ServiceDefaults.Logging;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// The one redaction engine: every log entry, span, stdout/stderr tail, failure card and job output passes through it.
/// It removes the secret values the configuration knows (and their encoded forms), private key blocks, credentials
/// in URLs, Bearer/Basic credentials, well-known token shapes, the values of secret-named keys (headers, KEY=VALUE,
/// JSON, query strings), and writes weight paths as aliases and paths under the data root as relative paths.
/// Clean text (the common case) costs three short vectorised searches for anything a rule could start from,
/// allocates nothing, and comes back as the same instance.
/// </summary>
public sealed partial class Redactor
{
    public const string Mask = "[REDACTED]";

    private readonly RedactionRule[] _rules;
    // Three short searches, each vectorised: key words in any case, fixed shapes (token prefixes, "://", PEM), and the
    // configured values and paths. One search over all of them, or a case-insensitive one over values, is several times slower.
    private readonly SearchValues<string>[] _triggers;

    public Redactor(RedactionSettings settings)
    {
        Settings = settings;
        var secretForms = SecretForms.Of(settings.SecretValues, settings.MinSecretLength);
        _rules = [
            .. secretForms.Length > 0 ? [new SecretValuesRule(secretForms)] : Array.Empty<RedactionRule>(),
            .. PatternRules.All,
            .. PathRules.For(settings),
        ];
        _triggers =
        [
            .. _rules.GroupBy(r => r.TriggerKind).Select(kind => SearchValues.Create(
                [.. kind.SelectMany(r => r.Triggers).Distinct()],
                kind.Key == TriggerKind.Word ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)),
        ];
    }

    public RedactionSettings Settings { get; }

    /// <summary>The rule ids this redactor may report, in the order the rules run.</summary>
    public IEnumerable<string> AuditIds => _rules.SelectMany(r => r.Ids).Distinct();

    /// <summary>True when no rule could apply to <paramref name="text"/>: the fast path for clean text.</summary>
    public bool IsClean(ReadOnlySpan<char> text)
    {
        foreach (var triggers in _triggers)
            if (text.IndexOfAny(triggers) >= 0)
                return false;
        return true;
    }

    /// <summary>
    /// <paramref name="text"/> with every secret replaced; the same instance when nothing was found.
    /// <paramref name="counts"/>, when given, receives how many values each rule replaced.
    /// </summary>
    public string Redact(string text, RedactionCounts? counts = null) => Redact(text, ref counts);

    /// <summary>As <see cref="Redact(string, RedactionCounts?)"/>; <paramref name="counts"/> is created only when something is found.</summary>
    internal string Redact(string text, ref RedactionCounts? counts, bool recordMetrics = true)
    {
        if (string.IsNullOrEmpty(text) || IsClean(text))
            return text;
        RedactionCounts? found = null;
        var result = text;
        foreach (var rule in _rules)
            if (rule.Applies(result))
                result = rule.Apply(result, ref found);
        if (found is not null)
        {
            if (recordMetrics)
                foreach (var (rule, n) in found.Snapshot())
                    PipelineMetrics.Redacted(rule, n);
            if (counts is null)
                counts = found;
            else
                counts.Add(found);
        }
        return result;
    }

    /// <summary>The value of a field named <paramref name="key"/>: masked whole when the key is secret, else redacted as text.</summary>
    public string RedactValue(string key, string value, RedactionCounts? counts = null) => RedactValue(key, value, ref counts);

    internal string RedactValue(string key, string value, ref RedactionCounts? counts)
    {
        if (SecretKeys.IsSecret(key) && !SecretKeys.IsPlaceholder(value))
        {
            Masked(RuleIds.SecretKey, ref counts);
            return Mask;
        }
        return Redact(value, ref counts);
    }

    /// <summary>Counts one value masked by <paramref name="rule"/> outside the text rules (a secret key, a secret by context).</summary>
    internal static void Masked(string rule, ref RedactionCounts? counts)
    {
        (counts ??= new RedactionCounts()).Add(rule, 1);
        PipelineMetrics.Redacted(rule, 1);
    }

    /// <summary>The id of the first secret rule (not a path rule) that finds something in <paramref name="text"/>; null when none does.</summary>
    public string? FindSecret(string text)
    {
        if (string.IsNullOrEmpty(text) || IsClean(text))
            return null;
        foreach (var rule in _rules)
        {
            RedactionCounts? found = null;
            if (rule.IsSecret && rule.Applies(text) && !ReferenceEquals(rule.Apply(text, ref found), text))
                return found!.Snapshot().Keys.First();
        }
        return null;
    }
}
