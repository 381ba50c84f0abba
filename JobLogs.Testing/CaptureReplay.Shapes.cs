using System.Text.Json;
using System.Text.RegularExpressions;

namespace JobLogs.Testing;

public sealed partial class CaptureReplay
{
    /// <summary>Same shape: the same kinds of values, the same keys (objects keyed by ids are matched by id), arrays item by item.</summary>
    private void Compare(JsonElement expected, JsonElement actual, string path, string? key, bool lenient, List<string> diffs)
    {
        lenient |= Substituted(expected);
        if (Kind(expected) != Kind(actual))
        {
            diffs.Add($"{path}: {Kind(actual)}, recorded {Kind(expected)}");
            return;
        }
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var keys = expected.EnumerateObject().Select(p => p.Name).ToList();
                if (keys.Count == 0)
                    keys = [.. actual.EnumerateObject().Select(p => p.Name)];
                if (keys.Count > 0 && keys.All(Dynamic))
                {
                    if (expected.EnumerateObject().Any() != actual.EnumerateObject().Any())
                        diffs.Add($"{path}: {(actual.EnumerateObject().Any() ? "entries" : "no entries")}, recorded {(expected.EnumerateObject().Any() ? "entries" : "none")}");
                    if (lenient)
                        return;
                    foreach (var property in expected.EnumerateObject())
                        if (actual.TryGetProperty(_ids.GetValueOrDefault(property.Name, property.Name), out var value))
                            Compare(property.Value, value, $"{path}.{property.Name}", property.Name, lenient || _substituted.Contains(property.Name), diffs);
                    return;
                }
                var missing = expected.EnumerateObject().Select(p => p.Name).Except(actual.EnumerateObject().Select(p => p.Name)).ToList();
                var extra = actual.EnumerateObject().Select(p => p.Name).Except(expected.EnumerateObject().Select(p => p.Name)).ToList();
                if (missing.Count > 0 || extra.Count > 0)
                    diffs.Add($"{path}: keys differ (missing [{string.Join(", ", missing)}], extra [{string.Join(", ", extra)}])");
                foreach (var property in expected.EnumerateObject())
                    if (actual.TryGetProperty(property.Name, out var value))
                        Compare(property.Value, value, $"{path}.{property.Name}", property.Name, lenient, diffs);
                break;
            case JsonValueKind.Array:
                if (expected.GetArrayLength() != actual.GetArrayLength() && !lenient && !FreeLength.Contains(key ?? ""))
                    diffs.Add($"{path}: {actual.GetArrayLength()} items, recorded {expected.GetArrayLength()}");
                foreach (var (e, a, i) in expected.EnumerateArray().Zip(actual.EnumerateArray(), Enumerable.Range(0, int.MaxValue)))
                    Compare(e, a, $"{path}[{i}]", key, lenient, diffs);
                break;
            case JsonValueKind.String when key == "filename" && TempName().IsMatch(expected.GetString()!):
                _tempNames[expected.GetString()!] = actual.GetString()!;
                break;
        }
    }

    private bool Dynamic(string key) =>
        key.All(char.IsAsciiDigit) || Guid.TryParse(key, out _) || _ids.ContainsKey(key) || _ids.ContainsValue(key) || _substituted.Contains(key) || _rejected.Contains(key);

    private bool Substituted(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => value.GetArrayLength() == 5 && value[1].ValueKind == JsonValueKind.String && _substituted.Contains(value[1].GetString()!),
        JsonValueKind.Object => value.Str("prompt_id") is { } id && _substituted.Contains(id) || value.Str("id") is { } jobId && _substituted.Contains(jobId),
        _ => false,
    };

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var kind => kind.ToString().ToLowerInvariant(),
    };

    [GeneratedRegex("^ComfyUI_temp_[a-z]{5}_")]
    private static partial Regex TempName();
}
