using System.Text.Json;
using System.Text.RegularExpressions;
using JobLogs.Jobs;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// ComfyUI's own failures as failure cards: a refused workflow (400 with <c>error</c> and <c>node_errors</c>) and an
/// <c>execution_error</c>. The card keeps ComfyUI's type and words, and says where: the node id and class, and the input.
/// </summary>
internal static partial class PromptErrors
{
    private const int MaxMessage = 1500;

    /// <summary>The card for a 400 answer to POST /prompt. <paramref name="classOf"/> names a node's class from the workflow.</summary>
    public static FailureCard FromRejection(JsonElement answer, Func<string, string?> classOf)
    {
        var error = answer.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : default;
        var errorType = Text(error, "type") ?? "invalid_prompt";
        var nodeErrors = NodeErrors(answer).ToList();
        if (nodeErrors.Count > 0)
        {
            var (nodeId, classType, first, _) = nodeErrors[0];
            var total = nodeErrors.Sum(n => n.Errors.GetArrayLength());
            var input = first.TryGetProperty("extra_info", out var extra) && extra.ValueKind == JsonValueKind.Object ? Text(extra, "input_name") : null;
            var nodeClass = classType ?? classOf(nodeId) ?? "?";
            return new FailureCard
            {
                Message = Bounded($"ComfyUI refused the workflow: node {nodeId} {nodeClass}: {Sentence(first)}"
                    + (total > 1 ? $" (and {total - 1} more error{(total > 2 ? "s" : "")} in the log)" : "")),
                Type = Text(first, "type") ?? errorType,
                Component = "comfyui",
                Stage = "validate",
                Where = $"node {nodeId} {nodeClass}" + (input is null ? "" : $", input {input}"),
            };
        }

        // A workflow-level error; v0.8.0 names an unknown node only in the message ("node X does not exist") and
        // its id in the details ("Node ID '#1'"), newer servers in extra_info.
        var extraInfo = error.ValueKind == JsonValueKind.Object && error.TryGetProperty("extra_info", out var x) && x.ValueKind == JsonValueKind.Object ? x : default;
        var idMatch = NodeIdRegex().Match(Text(error, "details") ?? "");
        var node = Text(extraInfo, "node_id") ?? (idMatch.Success ? idMatch.Groups["id"].Value : null);
        var missingClass = Text(extraInfo, "class_type") ?? (MissingClassRegex().Match(Text(error, "message") ?? "") is { Success: true } c ? c.Groups["class"].Value : null);
        return new FailureCard
        {
            Message = Bounded($"ComfyUI refused the workflow: {Sentence(error)}"),
            Type = errorType,
            Component = "comfyui",
            Stage = "validate",
            Where = node is null ? null : (missingClass ?? classOf(node)) is { } known ? $"node {node} {known}" : $"node {node}",
        };
    }

    /// <summary>The card for an <c>execution_error</c> (from /history or the WebSocket).</summary>
    public static FailureCard FromExecutionError(JsonElement error)
    {
        var nodeId = Text(error, "node_id") ?? "?";
        var nodeType = Text(error, "node_type") ?? "?";
        var type = Text(error, "exception_type") ?? "Exception";
        // exception_message is "{exception}\n{tips}": both are worth reading.
        var message = string.Join(" ", (Text(error, "exception_message") ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        return new FailureCard
        {
            Message = Bounded($"Node {nodeId} {nodeType} failed: {type}: {message}"),
            Type = type,
            Component = "comfyui",
            Stage = "execute",
            Where = $"node {nodeId} {nodeType}",
        };
    }

    /// <summary>What the log keeps of an execution_error: the exception and the end of ComfyUI's traceback, never the node's inputs.</summary>
    public static Dictionary<string, object?> ExecutionErrorData(JsonElement error)
    {
        var traceback = error.TryGetProperty("traceback", out var tb) && tb.ValueKind == JsonValueKind.Array
            ? string.Concat(tb.EnumerateArray().Select(f => f.GetString()))
            : "";
        return new()
        {
            ["nodeId"] = Text(error, "node_id"),
            ["nodeType"] = Text(error, "node_type"),
            ["exception"] = new Dictionary<string, object?>
            {
                ["type"] = Text(error, "exception_type"),
                ["message"] = Text(error, "exception_message"),
                ["stack"] = traceback.Length > 4000 ? "…" + traceback[^4000..] : traceback,
            },
        };
    }

    /// <summary>What the entry of a 400 answer to POST /prompt keeps: ComfyUI's error type and its node errors.</summary>
    public static Dictionary<string, object?> RejectionData(JsonElement answer) => new()
    {
        ["error"] = answer.TryGetProperty("error", out var error) && error.TryGetProperty("type", out var type) ? type.GetString() : null,
        ["nodeErrors"] = NodeErrorSummaries(answer),
    };

    /// <summary>Every node error of a 400 answer, one line each, for the log.</summary>
    public static List<string> NodeErrorSummaries(JsonElement answer) =>
        [.. NodeErrors(answer).SelectMany(n => n.Errors.EnumerateArray().Select(e => $"node {n.NodeId} {n.ClassType ?? "?"}: {Sentence(e)}")).Take(50).Select(Bounded)];

    private static IEnumerable<(string NodeId, string? ClassType, JsonElement First, JsonElement Errors)> NodeErrors(JsonElement answer)
    {
        if (!answer.TryGetProperty("node_errors", out var nodes) || nodes.ValueKind != JsonValueKind.Object)
            yield break;
        foreach (var node in nodes.EnumerateObject())
        {
            if (node.Value.ValueKind != JsonValueKind.Object || !node.Value.TryGetProperty("errors", out var errors)
                || errors.ValueKind != JsonValueKind.Array || errors.GetArrayLength() == 0)
                continue;
            yield return (node.Name, Text(node.Value, "class_type"), errors[0], errors);
        }
    }

    /// <summary>"message: details", as ComfyUI's own UI shows an error.</summary>
    private static string Sentence(JsonElement error)
    {
        var message = Text(error, "message") ?? "";
        var details = Text(error, "details") ?? "";
        return details.Length == 0 || details == message ? message : $"{message}: {details}";
    }

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static string Bounded(string text) => text.Length <= MaxMessage ? text : text[..MaxMessage] + "…";

    [GeneratedRegex(@"Node ID '#(?<id>[^']+)'")]
    private static partial Regex NodeIdRegex();

    [GeneratedRegex(@"because node (?<class>\S+) does not exist")]
    private static partial Regex MissingClassRegex();
}
