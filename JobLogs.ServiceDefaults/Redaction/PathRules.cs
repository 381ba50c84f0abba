using System.Text.RegularExpressions;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// Absolute local paths: a weight root (config/local.json) or the tools folder becomes its alias
/// (<c>/srv/models/checkpoints/x.safetensors</c> → <c>{models}/checkpoints/x.safetensors</c>), and any other path under
/// the data root becomes relative to it (<c>projects/p1/files/...</c>). The longest root wins where roots nest.
/// </summary>
internal static class PathRules
{
    public static IEnumerable<RedactionRule> For(RedactionSettings settings)
    {
        var roots = settings.PathAliases.Select(a => (a.Root, Replacement: "{" + a.Alias + "}", KeepSlash: true, a.RuleId)).ToList();
        if (settings.DataRoot is { } dataRoot)
            roots.Add((dataRoot, "", false, RuleIds.DataRootPath));
        foreach (var (root, replacement, keepSlash, ruleId) in roots.Where(r => r.Root.Length > 1).OrderByDescending(r => r.Root.Length))
        {
            // The root must start a path (not continue a longer name) and end at a separator or where a name ends.
            var pattern = new Regex(@"(?<![A-Za-z0-9_.\-~])" + Regex.Escape(root) + @"(?<slash>/|(?![A-Za-z0-9_.\-]))", RegexOptions.CultureInvariant);
            yield return new RegexRule(ruleId, [root], TriggerKind.Value, pattern, m =>
                m.Groups["slash"].Length == 0 ? (replacement.Length > 0 ? replacement : "{data}")
                : keepSlash ? replacement + "/" : replacement,
                isSecret: false);
        }
    }
}
