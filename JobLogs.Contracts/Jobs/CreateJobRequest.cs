using System.Text.Json;

namespace JobLogs.Jobs;

/// <summary>Body of <c>POST /api/projects/{projectId}/jobs</c>.</summary>
public sealed record CreateJobRequest(string? Type, JsonElement? Input, string? SpecId = null, string? AssetId = null);

/// <summary>One row of <c>GET /api/projects/{projectId}/jobs</c>: what a list shows, never read from logs.</summary>
public sealed record JobSummary(
    string Id, string Type, JobStatus Status, string? Failure, string? Hint, LogCounts Counts,
    DateTimeOffset CreatedAt, long? DurationMs, string? SpecId, string? AssetId,
    int Attempt = 0, DateTimeOffset? StartedAt = null, LogRemoval? LogRemoved = null);

public sealed record JobPage(IReadOnlyList<JobSummary> Jobs, int Total);
