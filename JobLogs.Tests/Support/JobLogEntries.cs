using System.Text.Json;
using JobLogs.Jobs;

namespace JobLogs.Tests.Support;

/// <summary>Reading a whole-app job's log as a user would, straight from its JSONL file.</summary>
public static class JobLogEntries
{
    public static List<JsonElement> JobLog(this AppFixture app, Job job) => JsonLines.Read(Path.Combine(app.DataRoot.Path, job.LogPath));

    /// <summary>The entry's <c>data.call</c> (an external call: target, op, status), if it has one.</summary>
    public static JsonElement? Call(this JsonElement entry) =>
        entry.TryGetProperty("data", out var data) && data.TryGetProperty("call", out var call) ? call : null;
}
