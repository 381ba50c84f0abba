using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.App;

/// <summary>
/// A real job's log with corrupt lines in it (a disk error, a hand edit, a foreign writer) is still served: each corrupt
/// line flagged <c>malformed</c> with its raw text, the whole lines around it as entries — through the Api and through
/// the web's forward alike.
/// </summary>
[Collection(AppCollection.Name)]
public sealed class CorruptJobLogTests(AppFixture app)
{
    private readonly string _project = AppFixture.NewProjectId();

    [Fact]
    public async Task Corrupt_lines_in_a_job_log_are_served_flagged_malformed_through_the_Api_and_the_web()
    {
        var created = await app.Api.CreateTool(_project, "hello");
        var job = await app.Api.WaitForStatus(_project, created.Id, s => s.IsFinished(), TimeSpan.FromSeconds(60));
        // The Api writes the report's entry just after the record: once it is there, nothing writes this log any more.
        await Eventually.True(() => app.JobLog(job).Any(e => e.Str("msg") == "Attempt 1 reported succeeded"), TimeSpan.FromSeconds(10), "the report's entry");
        var path = Path.Combine(app.DataRoot.Path, job.LogPath);
        var whole = await File.ReadAllLinesAsync(path);
        string[] garbage =
        [
            "this is not JSON",
            """{"ts":"2026-01-01T00:00:00Z","level":"info","msg":"cut in the mid""",
            """["an", "array", "not an entry"]""",
            "\u0001\u0002 control characters and a NUL \u0000",
        ];
        await File.AppendAllTextAsync(path, string.Join('\n', [.. garbage, whole[^1]]) + "\n");

        foreach (var (client, via) in new[] { (app.Api, "the Api"), (app.Web, "the web") })
        {
            var entries = (await client.Tail($"/api/projects/{_project}/jobs/{job.Id}/log")).GetProperty("entries").EnumerateArray().ToList();

            Assert.Equal(whole.Length + garbage.Length + 1, entries.Count);
            Assert.Equal(garbage, entries.Where(IsMalformed).Select(e => e.Str("raw")));
            Assert.Equal(whole.Length + 1, entries.Count(e => e.TryGetProperty("entry", out _)));
            Assert.True(entries[^1].TryGetProperty("entry", out var last), $"The whole line after the corrupt ones, through {via}.");
            Assert.Equal(job.Id, last.Str("jobId"));
        }
    }

    private static bool IsMalformed(JsonElement item) => item.TryGetProperty("malformed", out var flag) && flag.GetBoolean();
}
