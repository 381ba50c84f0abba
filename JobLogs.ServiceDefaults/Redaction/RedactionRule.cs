using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>How a rule's triggers are searched for: words in any case, or exact fixed shapes, or exact configured values.</summary>
internal enum TriggerKind { Word, Shape, Value }

/// <summary>One way a secret (or an absolute path) is recognised in free text, with the ids the audit counts it under.</summary>
internal abstract class RedactionRule(IReadOnlyList<string> ids, IReadOnlyList<string> triggers, TriggerKind kind, bool isSecret = true)
{
    private readonly SearchValues<string> _triggers = SearchValues.Create([.. triggers], kind == TriggerKind.Word ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);

    /// <summary>The audit ids this rule counts under (a rule for several token shapes has one id per shape).</summary>
    public IReadOnlyList<string> Ids { get; } = ids;

    /// <summary>Strings one of which any text this rule changes contains: the fast path's search.</summary>
    public IReadOnlyList<string> Triggers { get; } = triggers;

    public TriggerKind TriggerKind { get; } = kind;

    /// <summary>False for rules that rewrite paths: they protect the machine's layout, not a credential.</summary>
    public bool IsSecret { get; } = isSecret;

    public bool Applies(ReadOnlySpan<char> text) => text.IndexOfAny(_triggers) >= 0;

    /// <summary><paramref name="text"/> with this rule's findings replaced (the same instance when none), each counted in <paramref name="found"/>.</summary>
    public abstract string Apply(string text, ref RedactionCounts? found);

    protected static void Count(ref RedactionCounts? found, string id) => (found ??= new RedactionCounts()).Add(id, 1);
}

/// <summary>
/// A rule that is a regular expression. <see cref="Replace"/> returns a match's replacement and the id to count it
/// under, or null to leave the match as it is (e.g. a key whose value is a placeholder).
/// </summary>
internal sealed class RegexRule(IReadOnlyList<string> ids, IReadOnlyList<string> triggers, TriggerKind kind, Regex pattern, RegexRule.Replacer replace,
    bool isSecret = true)
    : RedactionRule(ids, triggers, kind, isSecret)
{
    public delegate string? Replacer(Match match, out string id);

    public RegexRule(string id, IReadOnlyList<string> triggers, TriggerKind kind, Regex pattern, Func<Match, string?> replace, bool isSecret = true)
        : this([id], triggers, kind, pattern, (Match m, out string found) => { found = id; return replace(m); }, isSecret)
    {
    }

    public override string Apply(string text, ref RedactionCounts? found)
    {
        StringBuilder? result = null;
        var copied = 0;
        foreach (var match in Matches(text))
        {
            if (replace(match, out var id) is not { } replacement)
                continue;
            result ??= new StringBuilder(text.Length);
            result.Append(text, copied, match.Index - copied).Append(replacement);
            copied = match.Index + match.Length;
            Count(ref found, id);
        }
        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    // Left to right, whatever direction the pattern searches in.
    private IEnumerable<Match> Matches(string text)
    {
        if (!pattern.RightToLeft)
        {
            for (var match = pattern.Match(text); match.Success; match = match.NextMatch())
                yield return match;
            yield break;
        }
        foreach (var match in pattern.Matches(text).Reverse())
            yield return match;
    }

    /// <summary>The match with its <paramref name="group"/> (every capture of it) replaced by the mask: keys, quotes and separators stay.</summary>
    public static string MaskGroup(Match match, string group)
    {
        var value = match.Groups[group];
        var start = value.Index - match.Index;
        return string.Concat(match.ValueSpan[..start], Redactor.Mask, match.ValueSpan[(start + value.Length)..]);
    }
}

/// <summary>
/// The configured secret values in every form they are written in, found by one vectorised search. The fast path looks
/// for the forms' first four characters only: a short list keeps that search fast however many forms there are.
/// </summary>
internal sealed class SecretValuesRule(string[] forms)
    : RedactionRule([RuleIds.ConfiguredSecret], [.. forms.Select(f => f[..Math.Min(4, f.Length)]).Distinct(StringComparer.Ordinal)], TriggerKind.Value)
{

    // Longest first, so a form that contains another is replaced whole.
    private readonly string[] _forms = [.. forms.OrderByDescending(f => f.Length).ThenBy(f => f, StringComparer.Ordinal)];
    private readonly SearchValues<string> _search = SearchValues.Create(forms, StringComparison.Ordinal);

    public override string Apply(string text, ref RedactionCounts? found)
    {
        StringBuilder? result = null;
        var copied = 0;
        var position = 0;
        while (position < text.Length)
        {
            var index = text.AsSpan(position).IndexOfAny(_search);
            if (index < 0)
                break;
            index += position;
            var form = _forms.First(f => text.AsSpan(index).StartsWith(f, StringComparison.Ordinal));
            result ??= new StringBuilder(text.Length);
            result.Append(text, copied, index - copied).Append(Redactor.Mask);
            copied = position = index + form.Length;
            Count(ref found, RuleIds.ConfiguredSecret);
        }
        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }
}
