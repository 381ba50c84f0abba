using System.Text.Json;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Logging;

/// <summary>
/// Several real processes append to one job log at once (DESIGN.md, Writing logs): through JobLogs' own ILogger
/// pipeline nothing is lost or torn, including lines over 4 KB; through .NET's FileMode.Append, lines are lost.
/// </summary>
public sealed class ConcurrentAppendTests : IDisposable
{
    private const int Writers = 4;
    private const int EntriesEach = 10_000;
    private readonly TempDirectory _dir = new("concurrent");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Four_processes_through_the_pipeline_lose_and_tear_nothing()
    {
        var path = await RunWriters("pipeline", "j-pipeline");
        var lines = File.ReadAllLines(path);
        Assert.Equal(Writers * EntriesEach, lines.Length);

        var seen = Enumerable.Range(0, Writers).ToDictionary(w => $"w{w}", _ => new SortedSet<int>());
        var longLines = 0;
        foreach (var line in lines)
        {
            var entry = JsonDocument.Parse(line).RootElement; // throws on a torn line
            Assert.True(Schemas.IsValid(Schemas.JobLogEntry, entry), $"Not a valid job log entry: {line[..Math.Min(200, line.Length)]}");
            var data = entry.GetProperty("data");
            Assert.True(seen[data.GetProperty("writer").GetString()!].Add(data.GetProperty("seq").GetInt32()), "An entry was written twice.");
            if (line.Length > 4096)
                longLines++;
        }
        Assert.All(seen.Values, s => Assert.Equal(Enumerable.Range(0, EntriesEach), s));
        Assert.Equal(Writers * EntriesEach / 10, longLines);
    }

    [Fact]
    public async Task Evidence_four_processes_through_FileMode_Append_lose_lines()
    {
        var path = await RunWriters("plain", "j-plain");
        var lines = File.ReadAllLines(path);
        var whole = lines.Count(l =>
        {
            try { JsonDocument.Parse(l); return true; }
            catch (JsonException) { return false; }
        });
        Assert.True(whole < Writers * EntriesEach,
            $"FileMode.Append was expected to lose lines between processes, yet all {whole} survived.");
    }

    private async Task<string> RunWriters(string mode, string jobId)
    {
        // Every writer opens its log first and says so; then all start at once.
        var processes = (await Task.WhenAll(Enumerable.Range(0, Writers)
            .Select(w => LogWriterProcess.StartAsync(mode, _dir.Path, "p-concurrent", jobId, $"w{w}", EntriesEach)))).ToList();
        try
        {
            foreach (var process in processes)
                await process.GoAsync();
            foreach (var process in processes)
                await process.WaitForExitAsync();
        }
        finally
        {
            processes.ForEach(p => p.Dispose());
        }
        return new DataLayout(_dir.Path).JobLog("p-concurrent", jobId);
    }
}
