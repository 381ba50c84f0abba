using Microsoft.Extensions.Options;

namespace JobLogs.Api.Workers;

/// <summary>
/// Ends the attempts whose worker stopped renewing its lease, on a fixed interval, on the leading replica only
/// (<see cref="Store.IReplicaLeadership"/>): one replica sweeps, so one writes each "worker lost" entry, and each end is
/// still a compare-and-set on the record.
/// </summary>
internal sealed class LeaseSweeper(LostAttempts lost, Store.IReplicaLeadership leadership, IOptions<LeaseOptions> options, TimeProvider time,
    ILogger<LeaseSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                if (await leadership.LeadsAsync(stoppingToken))
                    await lost.EndAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or System.Data.Common.DbException)
            {
                // A record that cannot be written now (or a database away) is retried at the next tick; the sweeper keeps running.
                logger.LogError(ex, "The lease sweep failed; it runs again in {Interval}", options.Value.SweepInterval);
            }
        }
    }
}
