namespace JobLogs.Health;

/// <summary><c>GET /api/system/status</c>: are jobs being picked up, and can ComfyUI run them.</summary>
public sealed record SystemStatus(
    DateTimeOffset Now, QueueStatus Queue, IReadOnlyList<WorkerStatus> Workers, ComfyUIStatus ComfyUI, IReadOnlyList<string> Warnings);

public sealed record QueueStatus(int Queued, int Running, DateTimeOffset? OldestQueuedAt);

/// <summary>A worker as the Api last heard from it: its claim polls and its heartbeats.</summary>
public sealed record WorkerStatus(
    string WorkerId, bool Alive, DateTimeOffset LastSeenAt, DateTimeOffset? LastPollAt, DateTimeOffset? LastHeartbeatAt,
    IReadOnlyList<RunningJob> Running);

public sealed record RunningJob(string ProjectId, string JobId, int Attempt);

/// <summary>
/// ComfyUI as the Api sees it through <c>/system_stats</c> and <c>/queue</c>. <see cref="Url"/> is the address without
/// credentials; the token is never shown.
/// </summary>
public sealed record ComfyUIStatus(
    bool Configured, string? Url = null, bool? Reachable = null, string? Version = null, int? QueueRunning = null,
    int? QueuePending = null, IReadOnlyList<GpuDevice>? Devices = null, string? Problem = null, DateTimeOffset? CheckedAt = null);

public sealed record GpuDevice(string Name, string? Type, long? VramTotal, long? VramFree);
