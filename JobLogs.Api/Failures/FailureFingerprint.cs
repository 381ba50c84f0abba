using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using JobLogs.Jobs;

namespace JobLogs.Api.Failures;

/// <summary>
/// What makes two failures "the same": the hint rule that matched, the card's type, component and stage, where it
/// happened with numbers taken out (the ComfyUI node class or the tool file, not the node id or line), and the
/// message with what varies from run to run replaced by placeholders: ids, UUIDs, hex, paths, quoted values, numbers.
/// </summary>
internal static partial class FailureFingerprint
{
    private const int MaxPatternLength = 300;

    public static string Of(FailureCard card) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
            string.Join('\u001f', card.Rule ?? "", card.Type, card.Component, card.Stage, Normalize(card.Where ?? ""), Normalize(card.Message)))))[..16];

    /// <summary>The text with what varies between runs of the same failure replaced by placeholders.</summary>
    public static string Normalize(string text)
    {
        text = UuidRegex().Replace(text, "<uuid>");
        text = JobIdRegex().Replace(text, "<job>");
        text = PathRegex().Replace(text, "<path>");
        text = HexRegex().Replace(text, "<hex>");
        text = QuotedRegex().Replace(text, m => $"{m.Value[0]}…{m.Value[0]}");
        text = NumberRegex().Replace(text, "#");
        text = SpaceRegex().Replace(text, " ").Trim();
        return text.Length > MaxPatternLength ? text[..MaxPatternLength] + "…" : text;
    }

    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex UuidRegex();

    // Job ids: yyyyMMdd-HHmmss-xxxxxxxx (Ids.NewJobId).
    [GeneratedRegex(@"\b\d{8}-\d{6}-[0-9a-f]{8}\b")]
    private static partial Regex JobIdRegex();

    // A token with a slash in it is a path (or a URL path): /x/y, a/b.png, C:\x, {models}/checkpoints/x.safetensors.
    [GeneratedRegex(@"(?:[A-Za-z]:)?(?:[\w.{}~-]*[\\/])+[\w.{}~-]*")]
    private static partial Regex PathRegex();

    // Long hex runs with at least one digit: hashes, prompt ids without dashes, addresses.
    [GeneratedRegex(@"\b(?:0x)?(?=[0-9a-fA-F]*\d)[0-9a-fA-F]{8,}\b")]
    private static partial Regex HexRegex();

    [GeneratedRegex(@"'[^'\n]{0,200}'|""[^""\n]{0,200}""")]
    private static partial Regex QuotedRegex();

    [GeneratedRegex(@"\d+(?:\.\d+)?")]
    private static partial Regex NumberRegex();

    [GeneratedRegex(@"\s+")]
    private static partial Regex SpaceRegex();
}
