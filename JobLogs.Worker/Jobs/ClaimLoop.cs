using JobLogs.ServiceDefaults.Logging;
using JobLogs.Worker.Api;
using JobLogs.Workers;
using Microsoft.Extensions.Options;

namespace JobLogs.Worker.Jobs;

/// <summary>
/// Claims jobs while it has free slots and runs each on its own task. A run that crashes is logged and its
/// slot freed: it never takes the worker, or another job, down with it.
/// </summary>
internal sealed partial class ClaimLoop(
    ApiClient api, JobRuns runs, IEnumerable<IJobRunner> runners, WorkerState state, IOptions<WorkerOptions> options,
    TimeProvider time, ILogger<ClaimLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var request = new ClaimRequest(settings.WorkerId, [.. runners.Select(r => r.Type)]);
        var slots = new SemaphoreSlim(settings.Concurrency);
        var running = new List<Task>();
        using (logger.BeginLifecycleScope())
            LogReady(logger, settings.WorkerId, settings.Concurrency, string.Join(", ", request.Types!));
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                var claim = await TryClaim(request, stoppingToken);
                if (claim is null)
                {
                    slots.Release();
                    await Task.Delay(settings.PollInterval, time, stoppingToken);
                    continue;
                }
                running.RemoveAll(t => t.IsCompleted);
                running.Add(Run(claim, slots, stoppingToken));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        // Let the runs stop and report before the host goes away.
        await Task.WhenAll(running);
    }

    private async Task<Claim?> TryClaim(ClaimRequest request, CancellationToken stoppingToken)
    {
        try
        {
            var claim = await api.ClaimAsync(request, stoppingToken);
            state.Polled();
            return claim;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Text.Json.JsonException && !stoppingToken.IsCancellationRequested)
        {
            if (state.PollFailed(ex.Message))
                LogClaimFailed(logger, ex.Message);
            return null;
        }
    }

    private Task Run(Claim claim, SemaphoreSlim slots, CancellationToken stoppingToken) => Task.Run(async () =>
    {
        state.RunStarted();
        try
        {
            await runs.RunAsync(claim, stoppingToken);
        }
        catch (Exception ex)
        {
            LogRunCrashed(logger, claim.Job.ProjectId, claim.Job.Id, claim.Attempt, ex);
        }
        finally
        {
            state.RunEnded();
            slots.Release();
        }
    }, CancellationToken.None);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} claims up to {Concurrency} jobs at once of types {Types}")]
    private static partial void LogReady(ILogger logger, string workerId, int concurrency, string types);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot claim jobs from the Api: {Reason}; trying again at each poll")]
    private static partial void LogClaimFailed(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The run of job {ProjectId}/{JobId} attempt {Attempt} crashed")]
    private static partial void LogRunCrashed(ILogger logger, string projectId, string jobId, int attempt, Exception exception);
}
