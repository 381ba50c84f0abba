using System.Text;
using JobLogs.ServiceDefaults.Logging;
using Microsoft.Extensions.Time.Testing;

namespace JobLogs.Tests.Logging;

/// <summary>
/// A writer lets go of a quiet job log within 40 s, so a log that retention deletes (it waits a minute after a job
/// finished) is written anew by path when a retry appends, not into the deleted file.
/// </summary>
public sealed class JobLogFilesTests : IDisposable
{
    private readonly TempDirectory _data = new("joblogfiles");

    public void Dispose() => _data.Dispose();

    [Fact]
    public void A_log_deleted_after_40_quiet_seconds_is_written_anew()
    {
        var time = new FakeTimeProvider();
        var layout = new DataLayout(_data.Path);
        using var files = new JobLogFiles(layout, 1 << 20, time);
        var path = layout.JobLog("p1", "j1");

        files.Append(new JobKey("p1", "j1", 1), "{\"attempt\":1}\n"u8, wantOffset: false, out _);
        for (var i = 0; i < 4; i++)
            time.Advance(TimeSpan.FromSeconds(10));
        File.Delete(path);
        files.Append(new JobKey("p1", "j1", 2), "{\"attempt\":2}\n"u8, wantOffset: false, out _);

        Assert.True(File.Exists(path), "The retry's line went to the deleted file.");
        Assert.Equal("{\"attempt\":2}\n", File.ReadAllText(path, Encoding.UTF8));
    }
}
