using System.Text.Json;

namespace JobLogs.Tests.Support;

public static class JsonLines
{
    /// <summary>Each line of a JSONL file, parsed; throws on a malformed line.</summary>
    public static List<JsonElement> Read(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    public static void AssertValid(global::Json.Schema.JsonSchema schema, JsonElement instance)
    {
        var problems = Schemas.Problems(schema, instance);
        Assert.True(problems.Count == 0, $"Does not match the schema: {string.Join("; ", problems)}\n{instance}");
    }
}
