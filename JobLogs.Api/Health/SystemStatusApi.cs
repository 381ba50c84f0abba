using JobLogs.Api.Store;
using JobLogs.Api.Workers;
using JobLogs.Health;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace JobLogs.Api.Health;

/// <summary>
/// <c>GET /api/system/status</c>: the queue, the workers the Api has heard from (claim polls and heartbeats), ComfyUI's
/// health, and warnings a person should act on — above all, jobs waiting while no worker is alive.
/// </summary>
internal static class SystemStatusApi
{
    /// <summary>Workers heard from within this time are listed.</summary>
    private static readonly TimeSpan RecentWorkers = TimeSpan.FromHours(24);

    public static IEndpointRouteBuilder MapSystemStatusApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/system").WithTags("System").MapGet("/status", Status);
        return routes;
    }

    private static async Task<Ok<SystemStatus>> Status(IJobStore store, IWorkerStore workerStore, IOptions<WorkerRegistryOptions> workerOptions,
        ComfyUIHealth comfyUI, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var aliveWindow = workerOptions.Value.AliveWindow;
        var state = await store.QueueAsync(cancellationToken);
        var workers = (await workerStore.SeenSinceAsync(now - RecentWorkers, cancellationToken)).Select(seen => new WorkerStatus(
            seen.WorkerId, now - seen.LastSeenAt <= aliveWindow, seen.LastSeenAt, seen.LastPollAt, seen.LastHeartbeatAt,
            [.. state.Running.Where(j => j.Lease?.WorkerId == seen.WorkerId).Select(j => new RunningJob(j.ProjectId, j.Id, j.Attempt))])).ToList();
        var queue = new QueueStatus(state.Queued, state.Running.Count, state.OldestQueuedAt);
        var comfy = await comfyUI.CheckAsync(cancellationToken);

        var warnings = new List<string>();
        if (queue.Queued > 0 && !workers.Any(w => w.Alive))
            warnings.Add(workers.Count == 0
                ? $"{Jobs(queue.Queued)} waiting in queued, and no worker has polled for work since the Api started: start a worker."
                : $"{Jobs(queue.Queued)} waiting in queued, and no worker has been heard from for over {aliveWindow.TotalSeconds:0} s: check the worker's log below.");
        if (comfy is { Configured: true, Reachable: false })
            warnings.Add($"ComfyUI is not reachable: {comfy.Problem} comfyui.workflow jobs will fail until it is.");
        return TypedResults.Ok(new SystemStatus(now, queue, workers, comfy, warnings));
    }

    private static string Jobs(int count) => count == 1 ? "1 job is" : $"{count} jobs are";
}
