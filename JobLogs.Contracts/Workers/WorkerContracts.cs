using System.Text.Json;
using JobLogs.Jobs;

namespace JobLogs.Workers;

/// <summary>The routes a worker calls; never forwarded by the web.</summary>
public static class WorkerRoutes
{
    public const string Claims = "/api/worker/claims";
    public static string Heartbeat(string projectId, string jobId) => $"/api/worker/projects/{projectId}/jobs/{jobId}/heartbeat";
    public static string Report(string projectId, string jobId) => $"/api/worker/projects/{projectId}/jobs/{jobId}/report";

    /// <summary>
    /// <c>POST</c> a batch of the attempt's job log lines: an <c>application/x-ndjson</c> body of whole lines as the worker
    /// formatted them, each with its <c>seq</c>, and the lease token in <see cref="WorkerProtocol.LeaseTokenHeader"/>.
    /// Answers <see cref="LogBatchAnswer"/>; a gap is a 409 whose problem names <see cref="WorkerProtocol.ExpectedSeq"/>.
    /// </summary>
    public static string Log(string projectId, string jobId) => $"/api/worker/projects/{projectId}/jobs/{jobId}/log";

    /// <summary><c>PUT</c> one output file of the attempt by its name (no folders), with the lease token; idempotent.</summary>
    public static string Output(string projectId, string jobId, string name) =>
        $"/api/worker/projects/{projectId}/jobs/{jobId}/outputs/{Uri.EscapeDataString(name)}";

    /// <summary><c>GET</c> a file of the project by its path relative to the project's files (a job's <c>workflowPath</c>).</summary>
    public static string ProjectFile(string projectId, string path) =>
        $"/api/worker/projects/{projectId}/files/{string.Join('/', path.Split('/').Select(Uri.EscapeDataString))}";

    /// <summary><c>POST</c> a batch of a service's own runtime lines (NDJSON), each with its <c>instance</c>.</summary>
    public static string RuntimeLog(string service) => $"/api/worker/runtime/{service}";
}

/// <summary>What every worker request carries, and the names the worker protocol's answers use.</summary>
public static class WorkerProtocol
{
    /// <summary>
    /// The protocol this build speaks. The Api refuses a request with another version in one sentence: version 2 ships
    /// logs and outputs over HTTP, which a version 1 worker (one that writes the data root itself) does not.
    /// </summary>
    public const int Version = 2;

    public const string VersionHeader = "JobLogs-Worker-Protocol";

    /// <summary>The lease token of log batches and uploads (bodies that are not JSON records).</summary>
    public const string LeaseTokenHeader = "JobLogs-Lease-Token";

    /// <summary>The extension of a 409 problem that names the <c>seq</c> the Api expects next (a batch with a gap, a report ahead of its log).</summary>
    public const string ExpectedSeq = "expectedSeq";
}

/// <summary>The answer to a log batch: the highest <c>seq</c> of the attempt the Api holds, after this batch.</summary>
public sealed record LogBatchAnswer(long Seq);

/// <summary>Body of <c>POST /api/worker/claims</c>.</summary>
public sealed record ClaimRequest(string? WorkerId, IReadOnlyList<string>? Types = null);

/// <summary>A claimed job: the attempt to run, the lease that fences it, and the trace it belongs to.</summary>
public sealed record Claim(Job Job, int Attempt, [property: SecretData] string LeaseToken, DateTimeOffset LeaseExpiresAt, string Traceparent);

/// <summary>Renews a lease; carries what the worker's pipeline counted in the attempt's log so far.</summary>
public sealed record Heartbeat([property: SecretData] string? LeaseToken, LogCounts? Counts = null, IReadOnlyDictionary<string, int>? Redactions = null);

public sealed record HeartbeatAnswer(DateTimeOffset LeaseExpiresAt, bool CancelRequested);

/// <summary>
/// The final report of an attempt. Idempotent: the same report with the same token again answers 200. <c>LastSeq</c> is
/// the attempt's last log line: until the Api holds it the report is a retryable 409 (naming
/// <see cref="WorkerProtocol.ExpectedSeq"/>), so no line of the attempt arrives after its outcome.
/// </summary>
public sealed record Report(
    [property: SecretData] string? LeaseToken, JobStatus Status, JsonElement? Output = null, FailureCard? Error = null,
    LogCounts? Counts = null, IReadOnlyDictionary<string, int>? Redactions = null, long? LastSeq = null);
