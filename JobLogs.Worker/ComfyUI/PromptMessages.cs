using System.Text.Json;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Worker.Jobs;

namespace JobLogs.Worker.ComfyUI;

/// <summary>ComfyUI's WebSocket messages about one prompt, and the job log entries they become.</summary>
internal static partial class PromptMessages
{
    /// <summary>The message's data when it is about this prompt (ComfyUI sends other clients' and queue-wide messages too).</summary>
    public static JsonElement? About(JsonElement message, string promptId) =>
        message.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() != "progress_state"
        && message.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Object
        && data.TryGetProperty("prompt_id", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() == promptId
            ? data
            : null;

    /// <summary>What a message about the prompt says, as the job log's entry (progress at most every interval per node).</summary>
    public static void Show(ILogger logger, string? type, JsonElement data, Workflow workflow, JobContext context, ProgressLog progress)
    {
        using var component = logger.BeginComponentScope("comfyui");
        switch (type)
        {
            case "execution_start":
                LogStarted(logger);
                break;
            case "execution_cached" when data.TryGetProperty("nodes", out var nodes) && nodes.ValueKind == JsonValueKind.Array && nodes.GetArrayLength() > 0:
                LogCached(logger, nodes.GetArrayLength(), string.Join(", ", nodes.EnumerateArray().Select(n => n.GetString())));
                break;
            case "executing" when data.TryGetProperty("node", out var node) && node.ValueKind == JsonValueKind.String:
                var nodeId = node.GetString()!;
                context.Where = $"node {nodeId} {workflow.ClassOf(nodeId) ?? "?"}";
                LogRunning(logger, nodeId, workflow.ClassOf(nodeId) ?? "?");
                break;
            case "progress" when data.TryGetProperty("value", out var value) && data.TryGetProperty("max", out var max)
                                 && value.TryGetDouble(out var v) && max.TryGetDouble(out var m):
                var progressNode = data.TryGetProperty("node", out var pn) && pn.ValueKind == JsonValueKind.String ? pn.GetString()! : "?";
                if (progress.ShouldLog(progressNode, v, m))
                    LogProgress(logger, progressNode, workflow.ClassOf(progressNode) ?? "?", v, m);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "ComfyUI started the prompt")]
    private static partial void LogStarted(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "ComfyUI reused the cached outputs of {Count} nodes: {Nodes}")]
    private static partial void LogCached(ILogger logger, int count, string nodes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Running node {NodeId} {NodeClass}")]
    private static partial void LogRunning(ILogger logger, string nodeId, string nodeClass);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeId} {NodeClass}: step {Value} of {Max}")]
    private static partial void LogProgress(ILogger logger, string nodeId, string nodeClass, double value, double max);
}
