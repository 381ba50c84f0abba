using JobLogs.Api.Events;
using JobLogs.Api.Store;
using JobLogs.Api.Store.Files;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace JobLogs.Tests.Store;

/// <summary>The job store contract on files: records under a temp data root, the index in memory.</summary>
public sealed class FileJobStoreTests : JobStoreContract
{
    private readonly TempDirectory _data = new("job-store");
    private readonly List<FileLogStore> _logs = [];

    private protected override Task<IJobStore> CreateAsync() => Task.FromResult(Open());

    private protected override Task<IJobStore> ReopenAsync() => Task.FromResult(Open());

    public override Task DisposeAsync()
    {
        _logs.ForEach(log => log.Dispose());
        _data.Dispose();
        return Task.CompletedTask;
    }

    private IJobStore Open()
    {
        var layout = new DataLayout(_data.Path);
        var logs = new FileLogStore(layout, "backend", 1 << 20, TimeProvider.System);
        _logs.Add(logs);
        var events = new ProjectEvents(logs, new Redactor(RedactionSettings.None), NullLogger<ProjectEvents>.Instance);
        return new FileJobStore(layout, events, NullLogger<FileJobStore>.Instance);
    }
}
