using JobLogs.Api.Store;
using JobLogs.Api.Store.Files;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Tests.Support;

namespace JobLogs.Tests.Store;

/// <summary>The log store contract on files: JSONL files under a temp data root.</summary>
public sealed class FileLogStoreTests : LogStoreContract
{
    private readonly TempDirectory _data = new("log-store");

    private protected override Task<ILogStore> CreateAsync() =>
        Task.FromResult<ILogStore>(new FileLogStore(new DataLayout(_data.Path), "worker", CapBytes, TimeProvider.System));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _data.Dispose();
    }

    [Fact]
    public void Each_log_is_the_jsonl_file_the_data_layout_names()
    {
        var layout = new DataLayout(_data.Path);
        Logs.Append(LogName.Events("p1"), "{\"e\":1}\n"u8);
        Logs.AppendToRuntime("{\"r\":1}\n"u8, RuntimeLine.Ordinary);
        Logs.AppendToJob(new JobKey("p1", "j1", 1), "{\"j\":1}\n"u8, wantOffset: false, out _);

        Assert.Equal("{\"e\":1}\n", File.ReadAllText(layout.Events("p1")));
        Assert.Equal("{\"r\":1}\n", File.ReadAllText(layout.RuntimeLog("worker")));
        Assert.Equal("{\"j\":1}\n", File.ReadAllText(layout.JobLog("p1", "j1")));
    }
}
