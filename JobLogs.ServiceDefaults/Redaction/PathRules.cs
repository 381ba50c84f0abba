using System.Text.RegularExpressions;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// Absolute local paths: a weight root (config/local.json) or the tools folder becomes its alias
/// (<c>/srv/models/checkpoints/x.safetensors</c> → <c>{models}/checkpoints/x.safetensors</c>), and any other path under
/// the data root becomes relative to it (<c>projects/p1/files/...</c>). The longest root wins where roots nest.
/// Last, a weight file under no root is known by its shape (<see cref="WeightFiles"/>).
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
        yield return WeightFiles;
    }

    /// <summary>The file endings of model weights: a path ending in one is a weight file whatever folder it is in.</summary>
    internal static readonly string[] WeightExtensions = [".safetensors", ".ckpt", ".pt", ".pth", ".bin", ".gguf", ".onnx", ".sft"];

    // POSIX: a '/' that starts a path (not one inside a URL, a relative path or an alias; file:/// is a path), folders
    // without spaces. Windows: a drive letter or \\server, folders that may hold spaces (never ':'). The file: no spaces,
    // one of the weight endings above (declared before the rule: static fields start in order), and nothing of a name after it.
    private static readonly Regex WeightFileRegex = new(
        @"(?<path>(?:(?<=file://)|(?<![A-Za-z0-9_.\-~}\\/:%]))/(?:[^\s/\\""'<>|*?:]+/)*[^\s/\\""'<>|*?:]+" +
        @"|(?<![A-Za-z0-9_.\-~}])(?:[A-Za-z]:|\\{2,}[^\s\\/""'<>|*?:]+)(?:[\\/]+[^\\/""'<>|*?:\r\n]+?)*?[\\/]+[^\s\\/""'<>|*?:]+)" +
        @"(?<=(?:" + string.Join('|', WeightExtensions.Select(Regex.Escape)) + @"))(?![A-Za-z0-9_\-]|\.[A-Za-z0-9])",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture | RegexOptions.Compiled);

    /// <summary>
    /// An absolute path to a weight file under no configured root — POSIX (<c>/home/ada/ComfyUI/models/loras/y.safetensors</c>),
    /// Windows (<c>C:\Users\ada\…</c>, <c>\\server\share\…</c>, also JSON-escaped) — is written from its <c>models</c>
    /// folder on: <c>{weights}/loras/y.safetensors</c>, or <c>{weights}/y.safetensors</c> without one. Source files
    /// (<c>.py</c> …) are not weights: a traceback's frames stay as they are.
    /// </summary>
    internal static readonly RedactionRule WeightFiles = new RegexRule(RuleIds.WeightFile, WeightExtensions, TriggerKind.Word, WeightFileRegex,
        m => "{weights}/" + string.Join('/', FromModelsFolder(m.Groups["path"].Value)), isSecret: false);

    private static IEnumerable<string> FromModelsFolder(string path)
    {
        var parts = path.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries);
        var models = Array.FindLastIndex(parts, p => p.Equals("models", StringComparison.OrdinalIgnoreCase));
        return models >= 0 && models < parts.Length - 1 ? parts[(models + 1)..] : parts[^1..];
    }
}
