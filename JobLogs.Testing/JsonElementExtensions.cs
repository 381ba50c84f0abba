using System.Text.Json;

namespace JobLogs.Testing;

public static class JsonElementExtensions
{
    /// <summary>The property's value when it is a string; null when it is missing or not a string.</summary>
    public static string? Str(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
