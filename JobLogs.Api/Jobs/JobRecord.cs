using System.Text.Json;
using System.Text.Json.Serialization;
using JobLogs.Jobs;

namespace JobLogs.Api.Jobs;

/// <summary>
/// The job record as stored on disk (schemas/job.schema.json). It differs from the wire <see cref="Job"/>
/// by what only the Api may see: the lease token, and per attempt the counts and the hash of the lease
/// that reported it (so a re-sent report is recognised).
/// </summary>
internal sealed record JobRecord
{
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
    public IReadOnlyList<AttemptRecord> Attempts { get; init; } = [];
    public LeaseRecord? Lease { get; init; }
    public required string LogPath { get; init; }
    public LogCounts Counts { get; init; } = new(0, 0);
    public string? SpecId { get; init; }
    public string? AssetId { get; init; }

    [JsonIgnore]
    public AttemptRecord? CurrentAttempt => Attempts.Count > 0 ? Attempts[^1] : null;

    public Job ToWire() => new()
    {
        Id = Id, ProjectId = ProjectId, Type = Type, Status = Status, Input = Input, Output = Output, Error = Error,
        CreatedAt = CreatedAt, StartedAt = StartedAt, FinishedAt = FinishedAt, DurationMs = DurationMs, Attempt = Attempt,
        Attempts = [.. Attempts.Select(a => new JobAttempt(a.N, a.TraceId, a.StartedAt, a.FinishedAt, a.Status, a.WorkerId))],
        Lease = Lease is { } lease ? new LeaseInfo(lease.WorkerId, lease.ExpiresAt) : null,
        LogPath = LogPath, Counts = Counts, SpecId = SpecId, AssetId = AssetId,
    };

    public JobSummary ToSummary() =>
        new(Id, Type, Status, Error?.Summary, Error?.Hint, Counts, CreatedAt, DurationMs, SpecId, AssetId, Attempt, StartedAt);
}

internal sealed record AttemptRecord(
    int N, string? TraceId, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt, JobStatus Status, string WorkerId,
    LogCounts? Counts = null, string? LeaseHash = null);

internal sealed record LeaseRecord(string Token, string WorkerId, DateTimeOffset ExpiresAt);
