using System.Text.Json;
using System.Text.Json.Nodes;
using JobLogs.Jobs;
using JobLogs.Worker.Api;
using JobLogs.Worker.Failures;
using JobLogs.Worker.Jobs;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// The API-format prompt a <c>comfyui.workflow</c> job submits: from its input (<c>workflow</c>) or a file of the
/// project's files (<c>workflowPath</c>, fetched from the Api), with its <c>overrides</c> ("&lt;nodeId&gt;.&lt;input&gt;": value) applied.
/// </summary>
internal sealed class Workflow
{
    private const long MaxFileBytes = 16 * 1024 * 1024;

    private Workflow(JsonObject prompt, string source, IReadOnlyList<string> overrides)
    {
        Prompt = prompt;
        Source = source;
        Overrides = overrides;
    }

    public JsonObject Prompt { get; }
    /// <summary>"inline", or "workflowPath &lt;path&gt;".</summary>
    public string Source { get; }
    public IReadOnlyList<string> Overrides { get; }

    public string? ClassOf(string nodeId) =>
        Prompt[nodeId] is JsonObject node && node["class_type"] is JsonValue value && value.TryGetValue<string>(out var name) ? name : null;

    /// <summary>The job's prompt; a <c>workflowPath</c> is fetched from the Api, which holds the project's files.</summary>
    public static async Task<Workflow> LoadAsync(Job job, ApiClient api, CancellationToken cancellationToken)
    {
        var input = job.Input;
        JsonObject prompt;
        string source;
        if (input.TryGetProperty("workflowPath", out var pathElement))
        {
            var relative = pathElement.GetString()!;
            source = $"workflowPath {relative}";
            prompt = await FetchFileAsync(api, job.ProjectId, relative, source, cancellationToken);
        }
        else
        {
            source = "inline";
            prompt = JsonNode.Parse(input.GetProperty("workflow").GetRawText())!.AsObject();
        }
        Check(prompt, source);

        var applied = new List<string>();
        if (input.TryGetProperty("overrides", out var overrides) && overrides.ValueKind == JsonValueKind.Object)
            foreach (var entry in overrides.EnumerateObject())
            {
                var dot = entry.Name.IndexOf('.');
                var (nodeId, inputName) = dot > 0 ? (entry.Name[..dot], entry.Name[(dot + 1)..]) : (entry.Name, "");
                if (inputName.Length == 0 || prompt[nodeId] is not JsonObject node)
                    throw Invalid($"The override '{entry.Name}' names node {nodeId}, which the workflow does not have.", $"override {entry.Name}");
                if (node["inputs"] is not JsonObject inputs)
                    node["inputs"] = inputs = [];
                inputs[inputName] = JsonNode.Parse(entry.Value.GetRawText());
                applied.Add(entry.Name);
            }
        return new Workflow(prompt, source, applied);
    }

    private static async Task<JsonObject> FetchFileAsync(ApiClient api, string projectId, string relative, string where, CancellationToken cancellationToken)
    {
        var reply = await api.GetProjectFileAsync(projectId, relative, MaxFileBytes, cancellationToken);
        if (reply.Status == ProjectFileStatus.Missing)
            throw Invalid($"The workflow file {relative} does not exist in the project's files (projects/{projectId}/files/).", where);
        if (reply.Status == ProjectFileStatus.Refused)
            throw Invalid($"workflowPath '{relative}' cannot be read from the project's files: {reply.Problem}", where);
        if (reply.Status == ProjectFileStatus.TooLarge)
            throw Invalid($"The workflow file {relative} is larger than {MaxFileBytes} bytes.", where);
        try
        {
            return JsonNode.Parse(reply.Bytes) as JsonObject
                ?? throw Invalid($"The workflow file {relative} does not hold a JSON object.", where);
        }
        catch (JsonException ex)
        {
            throw Invalid($"The workflow file {relative} is not valid JSON: {ex.Message}", where);
        }
    }

    private static void Check(JsonObject prompt, string where)
    {
        // ComfyUI's UI saves {"nodes": [...], "links": [...]}; the API takes {"<id>": {"class_type": ...}}.
        if (prompt["nodes"] is JsonArray && prompt["links"] is JsonArray)
            throw Invalid("The workflow is in ComfyUI's UI format; export it with \"Save (API)\" (enable the dev mode options) and use that file.", where);
        if (prompt.Count == 0)
            throw Invalid("The workflow has no nodes.", where);
        foreach (var (id, node) in prompt)
            if (node is not JsonObject n || n["class_type"] is not JsonValue type || !type.TryGetValue<string>(out _))
                throw Invalid($"Node {id} of the workflow has no class_type: this is not an API-format prompt.", where);
    }

    private static JobFailedException Invalid(string message, string where) => new(new FailureCard
    {
        Message = message, Type = FailureTypes.WorkflowInvalid, Component = "worker", Stage = "input", Where = where,
    });
}
