using System.Text.Json;
using System.Text.RegularExpressions;

namespace JobLogs.Jobs;

/// <summary>
/// How a job input refers to a secret: <c>{"$secret": "NAME"}</c>. The Api admits only this form; the worker replaces
/// it with the value of <c>JobLogs:Secrets:NAME</c> from its configuration just before the job runs.
/// </summary>
public static partial class SecretReference
{
    public const string Key = "$secret";

    /// <summary>The configuration section that holds the values: <c>JobLogs:Secrets:NAME</c>.</summary>
    public const string ConfigurationSection = "JobLogs:Secrets";

    /// <summary>NAME: 1 to 64 letters, digits, '_', '-' or '.', starting with a letter or digit.</summary>
    public const string NamePattern = "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$";

    /// <summary>True when <paramref name="element"/> is an object with a <c>$secret</c> key, well-formed or not.</summary>
    public static bool Claims(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(Key, out _);

    /// <summary>True when <paramref name="element"/> is exactly <c>{"$secret": "NAME"}</c> with a valid NAME.</summary>
    public static bool TryRead(JsonElement element, out string name)
    {
        name = "";
        if (!Claims(element) || element.GetProperty(Key) is not { ValueKind: JsonValueKind.String } value
            || !NameRegex().IsMatch(value.GetString()!) || element.EnumerateObject().Count() != 1)
            return false;
        name = value.GetString()!;
        return true;
    }

    [GeneratedRegex(NamePattern, RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();
}
