namespace JobLogs.Api.Jobs;

/// <summary>Rebuilds the job index from the records on disk before the Api serves anything.</summary>
internal sealed partial class JobIndexLoader(JobStore store, DataLayout layout, ILogger<JobIndexLoader> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var count = store.Load();
        LogLoaded(logger, count, store.QueuedCount, layout.Root);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} job records ({Queued} queued) from the data root {DataRoot}")]
    private static partial void LogLoaded(ILogger logger, int count, int queued, string dataRoot);
}
