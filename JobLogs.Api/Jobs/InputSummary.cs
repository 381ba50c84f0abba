using System.Text.Json;
using JobLogs.Jobs;

namespace JobLogs.Api.Jobs;

/// <summary>A job input in one short line for its log: what runs and with which argument names, never the raw input.</summary>
internal static class InputSummary
{
    public static string Of(string type, JsonElement input) => type switch
    {
        JobTypes.PythonTool => $"tool {Text(input, "tool")}, args {Names(input, "args")}",
        JobTypes.ComfyUIWorkflow => $"{Workflow(input)}, overrides {Names(input, "overrides")}",
        _ => $"{Names(input)}",
    };

    // The workflow itself is summarized by the worker when it runs; here only its size or file.
    private static string Workflow(JsonElement input) =>
        input.TryGetProperty("workflow", out var workflow) && workflow.ValueKind == JsonValueKind.Object
            ? $"workflow of {workflow.EnumerateObject().Count()} nodes"
            : $"workflowPath {Text(input, "workflowPath")}";

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
