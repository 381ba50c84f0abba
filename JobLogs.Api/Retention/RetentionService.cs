using Microsoft.Extensions.Options;

namespace JobLogs.Api.Retention;

/// <summary>
/// Runs the cleanup on its interval, on the leading replica only (<see cref="Store.IReplicaLeadership"/>); a failed run
/// is logged and the next one tries again.
/// </summary>
internal sealed class RetentionService(Cleanup cleanup, Store.IReplicaLeadership leadership, IOptions<RetentionOptions> options, TimeProvider time,
    ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                if (await leadership.LeadsAsync(stoppingToken))
                    await cleanup.RunAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is IOException or System.Data.Common.DbException)
            {
                logger.LogError(ex, "The cleanup failed; it runs again in {Interval}", options.Value.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
