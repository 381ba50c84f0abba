using System.Text.Json;
using System.Text.Json.Serialization;

namespace JobLogs.Jobs;

/// <summary>
/// What a job is, declared once for the two shapes it takes: the wire <see cref="Job"/> and the Api's stored record,
/// which differ only in what they say of attempts and the lease. The JSON keeps the order of a job's fields as written
/// before the two shapes shared them: ours (order 0) up to <see cref="Attempt"/>, then the shape's attempts and lease
/// (<see cref="ShapeOrder"/>), then the rest of ours (<see cref="LaterOrder"/>).
/// </summary>
public abstract record JobFields
{
    public const int ShapeOrder = 1, LaterOrder = 2;

    public required string Id { get; init; }
    public required string ProjectId { get; init; }
    public required string Type { get; init; }
    public required JobStatus Status { get; init; }
    public required JsonElement Input { get; init; }
    public JsonElement? Output { get; init; }
    public FailureCard? Error { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public long? DurationMs { get; init; }
    public int Attempt { get; init; }
    [JsonPropertyOrder(LaterOrder)]
    public required string LogPath { get; init; }
    [JsonPropertyOrder(LaterOrder)]
    public LogCounts Counts { get; init; } = new(0, 0);
    [JsonPropertyOrder(LaterOrder)]
    public string? SpecId { get; init; }
    [JsonPropertyOrder(LaterOrder)]
    public string? AssetId { get; init; }
    /// <summary>Every cancel and retry asked for, oldest first, with where each came from.</summary>
    [JsonPropertyOrder(LaterOrder)]
    public IReadOnlyList<JobRequest> Requests { get; init; } = [];
    /// <summary>The redaction audit: how many values each rule took out of the job's log and record, over all attempts (never the values).</summary>
    [JsonPropertyOrder(LaterOrder)]
    public IReadOnlyDictionary<string, int>? Redactions { get; init; }
    /// <summary>Set when retention removed the job's log and assets; null while they exist (a retry clears it).</summary>
    [JsonPropertyOrder(LaterOrder)]
    public LogRemoval? LogRemoved { get; init; }
}

/// <summary>A job as the Api serves it: the record without its lease token and what only the Api keeps of each attempt.</summary>
public sealed record Job : JobFields
{
    [JsonPropertyOrder(ShapeOrder)]
    public IReadOnlyList<JobAttempt> Attempts { get; init; } = [];
    [JsonPropertyOrder(ShapeOrder)]
    public LeaseInfo? Lease { get; init; }
}

public enum JobStatus { Queued, Running, Succeeded, Failed, Canceled }

public static class JobStatusExtensions
{
    public static bool IsFinished(this JobStatus status) => status is JobStatus.Succeeded or JobStatus.Failed or JobStatus.Canceled;

    /// <summary>The status as it is written on the wire and in logs: queued, running, succeeded, failed, canceled.</summary>
    public static string Wire(this JobStatus status) => status switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Running => "running",
        JobStatus.Succeeded => "succeeded",
        JobStatus.Failed => "failed",
        _ => "canceled",
    };
}

public sealed record JobAttempt(
    int N, string? TraceId, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, JobStatus Status, string WorkerId,
    IReadOnlyDictionary<string, int>? Redactions = null);

public sealed record LeaseInfo(string WorkerId, DateTimeOffset ExpiresAt);

/// <summary>Error and warn entries written to a job log so far.</summary>
public sealed record LogCounts(int Error, int Warn)
{
    public static LogCounts operator +(LogCounts a, LogCounts b) => new(a.Error + b.Error, a.Warn + b.Warn);
}

/// <summary>The job types the worker runs.</summary>
public static class JobTypes
{
    public const string PythonTool = "python.tool";
    public const string ComfyUIWorkflow = "comfyui.workflow";
}
