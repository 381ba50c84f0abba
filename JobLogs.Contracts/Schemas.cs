using System.Text.Json;
using Json.Schema;

namespace JobLogs;

/// <summary>The JSON Schemas of schemas/, embedded in this assembly, and validation against them.</summary>
public static class Schemas
{
    private static readonly BuildOptions Build = new() { SchemaRegistry = new SchemaRegistry() };

    public static readonly JsonSchema LogEntry = Load("job-log-entry.schema.json");
    /// <summary>An entry of a job log: a log entry that names its project, job and attempt.</summary>
    public static readonly JsonSchema JobLogEntry = JsonSchema.FromText(
        """{ "$ref": "https://joblogs.local/schemas/job-log-entry.schema.json#/$defs/jobLogEntry" }""", Build);
    public static readonly JsonSchema Job = Load("job.schema.json");
    public static readonly JsonSchema TailResponse = Load("tail-response.schema.json");
    public static readonly JsonSchema ProjectEvent = Load("project-event.schema.json");

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    /// <summary>The ways <paramref name="instance"/> fails <paramref name="schema"/>, one sentence each; empty when it is valid.</summary>
    public static IReadOnlyList<string> Problems(JsonSchema schema, JsonElement instance)
    {
        var results = schema.Evaluate(instance, Evaluation);
        if (results.IsValid)
            return [];
        var problems = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 } && !InsideIf(d))
            .SelectMany(d => d.Errors!.Values.Select(e => $"{Location(d.InstanceLocation.ToString())}: {e}"))
            .Distinct()
            .ToList();
        return problems.Count > 0 ? problems : ["the document does not match the schema."];
    }

    public static bool IsValid(JsonSchema schema, JsonElement instance) => schema.Evaluate(instance, EvaluationOptions.Default).IsValid;

    // An "if" that does not match only picks which "then" applies: its failures are not problems of the instance.
    private static bool InsideIf(EvaluationResults result) =>
        result.EvaluationPath.ToString().Split('/').Contains("if");

    private static string Location(string pointer) => pointer is "" or "#" ? "(the document)" : pointer;

    private static JsonSchema Load(string name)
    {
        using var stream = typeof(Schemas).Assembly.GetManifestResourceStream($"schemas/{name}")
            ?? throw new InvalidOperationException($"The schema {name} is not embedded.");
        using var reader = new StreamReader(stream);
        return JsonSchema.FromText(reader.ReadToEnd(), Build);
    }
}
