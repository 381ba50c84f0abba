using System.Text.Json;
using JobLogs.Jobs;

namespace JobLogs.Api.Jobs;

/// <summary>A job input in one short line for its log: what runs and with which argument names, never the raw input.</summary>
internal static class InputSummary
{
    public static string Of(string type, JsonElement input) => type switch
    {
        JobTypes.PythonTool => $"tool {Text(input, "tool")}, args {Names(input, "args")}",
        _ => $"{Names(input)}",
    };

    private static string Text(JsonElement input, string name) =>
        input.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "?";

    private static string Names(JsonElement input, string? child = null)
    {
        var element = child is null ? input : input.TryGetProperty(child, out var c) ? c : default;
        return element.ValueKind == JsonValueKind.Object
            ? "[" + string.Join(", ", element.EnumerateObject().Select(p => p.Name).Take(20)) + "]"
            : "[]";
    }
}
