using System.Text;
using System.Text.RegularExpressions;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// The text scanner for key/value pairs: finds every <c>key=value</c>, <c>key: value</c>, <c>key => value</c>,
/// <c>"key": "value"</c> (JSON and Python's repr, at any depth, and escaped inside JSON strings at any depth:
/// <c>\"key\": \"value\"</c>, <c>\\\"key\\\": …</c>), header lines (<c>X-Api-Key: value</c>) and command-line options
/// (<c>--api-key value</c>) in free text, and masks the value when <see cref="SecretKeys.IsSecret(string?)"/> says
/// its key is secret — the same rule as for structured properties. Keys, quotes and separators stay readable.
/// </summary>
internal sealed class KeyValueRule(Regex pattern) : RedactionRule([RuleIds.SecretKey], SecretKeys.Triggers, TriggerKind.Word)
{
    /// <summary>What may stand in a key: letters, digits, <c>_ . -</c>.</summary>
    internal const string Key = @"(?<key>(?>[A-Za-z0-9_.\-]+))";

    /// <summary>A key's own end: its closing quote (escaped or not) and the separator, with the blanks around it.</summary>
    internal const string Separator = @"(?:\\*[""'])?[ \t]*(?<sep>=>|[=:])[ \t]*";

    /// <summary>Pairs: a quoted value runs to the same quote, escaped as deeply as it opened; a bare one to the next delimiter.</summary>
    public static readonly KeyValueRule Pairs = new(new Regex(
        @"(?<![A-Za-z0-9_.\-$])" + Key + Separator +
        @"(?:(?<q>\\*"")(?<value>[^\r\n]*?)(?<!\\)\k<q>" +
        @"|(?<q>\\*')(?<value>[^\r\n]*?)(?<!\\)\k<q>" +
        @"|(?<value>(?:Bearer|Basic|Token)[ \t]+[^\s""'\\,;&]+|[^\s""'\\,;&<>(){}\[\]]+))",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture | RegexOptions.Compiled));

    /// <summary>Command lines: <c>--password x</c>, <c>-api-key x</c>.</summary>
    public static readonly KeyValueRule Arguments = new(new Regex(
        @"(?<=(?:^|[\s""'])--?)" + Key + @"[ \t]+(?<value>[^\s""'\\\-][^\s""'\\]*)",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.Compiled));

    public override string Apply(string text, ref RedactionCounts? found)
    {
        StringBuilder? result = null;
        var copied = 0;
        var position = 0;
        while (position < text.Length && pattern.Match(text, position) is { Success: true } match)
        {
            var key = match.Groups["key"];
            var value = match.Groups["value"];
            if (!IsSecretPair(text, match) || SecretKeys.IsPlaceholder(value.ValueSpan))
            {
                // Not this key's value; it may hold pairs of its own ("prompt": "{\"api_key\": …}"): look again after the key.
                position = key.Index + key.Length;
                continue;
            }
            result ??= new StringBuilder(text.Length);
            result.Append(text, copied, value.Index - copied).Append(Redactor.Mask);
            copied = position = value.Index + value.Length;
            Count(ref found, RuleIds.SecretKey);
        }
        return result is null ? text : result.Append(text, copied, text.Length - copied).ToString();
    }

    /// <summary>
    /// True when the match's key is secret and is not a segment of a configuration path: in "set JobLogs:Secrets:HF_TOKEN"
    /// the key "Secrets" sits between colons, it has no value.
    /// </summary>
    internal static bool IsSecretPair(string text, Match match)
    {
        var key = match.Groups["key"];
        if (match.Groups["sep"] is { Success: true, Length: 1 } sep && text[sep.Index] == ':' && sep.Index == key.Index + key.Length
            && key.Index > 0 && text[key.Index - 1] == ':')
            return false;
        return SecretKeys.IsSecret(key.ValueSpan);
    }
}
