using JobLogs.Api.Store;

namespace JobLogs.Api.Jobs;

/// <summary>Opens the job store (files mode: rebuilds the index from the records) before the Api serves anything.</summary>
internal sealed partial class JobIndexLoader(IJobStore store, ILogger<JobIndexLoader> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var opened = await store.OpenAsync(cancellationToken);
        LogLoaded(logger, opened.Jobs, opened.Queued, opened.Where);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Count} job records ({Queued} queued) from {Source}")]
    private static partial void LogLoaded(ILogger logger, int count, int queued, string source);
}
