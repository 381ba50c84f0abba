using JobLogs.Tests.Support;
using Microsoft.Extensions.Logging;

namespace JobLogs.Tests.Logging;

/// <summary>A writer whose service log is renamed away (rotated) reopens it by path and loses no line.</summary>
public sealed class RuntimeLogRotationTests : IDisposable
{
    private readonly TempDirectory _dir = new("rotation");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task After_a_rotation_the_writer_reopens_by_path_and_loses_nothing()
    {
        using var pipeline = new PipelineHost(_dir);
        var logger = pipeline.Logger("JobLogs.Worker.Service");
        var path = pipeline.RuntimeLog();
        var written = 0;
        logger.LogInformation("Line {N}", written++);
        File.Move(path, path.Replace(".jsonl", ".1.jsonl"));

        await Eventually.True(() =>
        {
            logger.LogInformation("Line {N}", written++);
            return File.Exists(path);
        }, TimeSpan.FromSeconds(10), "the writer to reopen the service log by path");
        logger.LogInformation("Line {N}", written++);

        var lines = JsonLines.Read(path.Replace(".jsonl", ".1.jsonl")).Concat(JsonLines.Read(path))
            .Where(e => e.Str("msg")!.StartsWith("Line "))
            .Select(e => e.GetProperty("data").GetProperty("n").GetInt32())
            .Order()
            .ToList();
        Assert.Equal(Enumerable.Range(0, written), lines);
        Assert.Contains($"Line {written - 1}", File.ReadAllText(path));
    }
}
