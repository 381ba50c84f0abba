using System.Text.Json;
using JobLogs.Jobs;

namespace JobLogs.Workers;

/// <summary>The routes a worker calls; never forwarded by the web.</summary>
public static class WorkerRoutes
{
    public const string Claims = "/api/worker/claims";
    public static string Heartbeat(string projectId, string jobId) => $"/api/worker/projects/{projectId}/jobs/{jobId}/heartbeat";
    public static string Report(string projectId, string jobId) => $"/api/worker/projects/{projectId}/jobs/{jobId}/report";
}

/// <summary>Body of <c>POST /api/worker/claims</c>.</summary>
public sealed record ClaimRequest(string? WorkerId, IReadOnlyList<string>? Types = null);

/// <summary>A claimed job: the attempt to run, the lease that fences it, and the trace it belongs to.</summary>
public sealed record Claim(Job Job, int Attempt, [property: SecretData] string LeaseToken, DateTimeOffset LeaseExpiresAt, string Traceparent);

/// <summary>Renews a lease; carries what the worker's pipeline counted in the attempt's log so far.</summary>
public sealed record Heartbeat([property: SecretData] string? LeaseToken, LogCounts? Counts = null, IReadOnlyDictionary<string, int>? Redactions = null);

public sealed record HeartbeatAnswer(DateTimeOffset LeaseExpiresAt, bool CancelRequested);

/// <summary>The final report of an attempt. Idempotent: the same report with the same token again answers 200.</summary>
public sealed record Report(
    [property: SecretData] string? LeaseToken, JobStatus Status, JsonElement? Output = null, FailureCard? Error = null,
    LogCounts? Counts = null, IReadOnlyDictionary<string, int>? Redactions = null);
