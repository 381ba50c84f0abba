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
    private readonly FileLogStore _logs;

    public FileJobStoreTests() => _logs = new FileLogStore(new DataLayout(_data.Path), "backend", 1 << 20, TimeProvider.System);

    private protected override ILogStore EventLog => _logs;

    private protected override Task<IJobStore> CreateAsync() => Task.FromResult(Open());

    private protected override Task<IJobStore> ReopenAsync() => Task.FromResult(Open());

    public override Task DisposeAsync()
    {
        _logs.Dispose();
        _data.Dispose();
        return Task.CompletedTask;
    }

    private IJobStore Open()
    {
        var events = new ProjectEvents(_logs, new Redactor(RedactionSettings.None), NullLogger<ProjectEvents>.Instance);
        return new FileJobStore(new DataLayout(_data.Path), events, NullLogger<FileJobStore>.Instance);
    }
}
