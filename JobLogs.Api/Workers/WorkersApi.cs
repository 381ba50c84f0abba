using System.Text.RegularExpressions;
using JobLogs.Api.Extensions;
using JobLogs.Api.Store;
using JobLogs.Jobs;
using JobLogs.Workers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace JobLogs.Api.Workers;

/// <summary>The worker protocol: claim, heartbeat, log batches, report. The web never forwards these routes.</summary>
internal static partial class WorkersApi
{
    public static IEndpointRouteBuilder MapWorkersApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/worker").WithTags("Worker protocol").RequireWorkerProtocol();
        group.MapPost("/claims", Claim);
        group.MapPost("/projects/{projectId}/jobs/{jobId}/heartbeat", Heartbeat)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/projects/{projectId}/jobs/{jobId}/report", Report)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/projects/{projectId}/jobs/{jobId}/log", Log)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status507InsufficientStorage);
        group.MapPut("/projects/{projectId}/jobs/{jobId}/outputs/{name}", WorkerOutputs.Put)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        group.MapGet("/projects/{projectId}/files/{**path}", WorkerProjectFiles.Get).ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static async Task<Results<Ok<Claim>, NoContent, ValidationProblem>> Claim(
        ClaimRequest request, Leases leases, IWorkerStore workers, CancellationToken cancellationToken)
    {
        if (!Ids.IsInstance(request.WorkerId))
            return Problems.Invalid("workerId", "workerId must be 1 to 128 letters, digits, '.', ':', '-' or '_', starting with a letter or digit.");
        if (request.Types?.FirstOrDefault(t => !Jobs.JobCreator.KnownTypes.Contains(t)) is { } unknown)
            return Problems.Invalid("types", $"Unknown job type '{unknown}'.");
        await workers.SeenAsync(request.WorkerId, WorkerSign.Poll, cancellationToken);
        return await leases.ClaimAsync(request.WorkerId, request.Types, cancellationToken) is { } claim ? TypedResults.Ok(claim) : TypedResults.NoContent();
    }

    private static async Task<Results<Ok<HeartbeatAnswer>, ValidationProblem, ProblemHttpResult>> Heartbeat(
        string projectId, string jobId, Heartbeat heartbeat, Leases leases, IJobStore store, IWorkerStore workers, CancellationToken cancellationToken)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        if (string.IsNullOrEmpty(heartbeat.LeaseToken))
            return Problems.Invalid("leaseToken", "The lease token is missing.");
        if (heartbeat.Counts is { Error: < 0 } or { Warn: < 0 })
            return Problems.Invalid("counts", "Counts cannot be negative.");
        if (RedactionsProblem(heartbeat.Redactions) is { } redactions)
            return Problems.Invalid("redactions", redactions);
        var answer = await leases.HeartbeatAsync(projectId, jobId, heartbeat, cancellationToken);
        if (answer.Value is not null && (await store.GetAsync(projectId, jobId, cancellationToken))?.Lease?.WorkerId is { } workerId)
            await workers.SeenAsync(workerId, WorkerSign.Heartbeat, cancellationToken);
        return Answer(answer, projectId, jobId);
    }

    private static async Task<Results<Ok<Job>, ValidationProblem, ProblemHttpResult>> Report(
        string projectId, string jobId, Report report, Leases leases, CancellationToken cancellationToken)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        if (string.IsNullOrEmpty(report.LeaseToken))
            return Problems.Invalid("leaseToken", "The lease token is missing.");
        if (!report.Status.IsFinished())
            return Problems.Invalid("status", "A report's status must be succeeded, failed or canceled.");
        if (report.Status == JobStatus.Failed && report.Error is null)
            return Problems.Invalid("error", "A failed report must carry its failure card in \"error\".");
        if (RedactionsProblem(report.Redactions) is { } redactions)
            return Problems.Invalid("redactions", redactions);
        if (report.LastSeq < 0)
            return Problems.Invalid("lastSeq", "lastSeq cannot be negative: it is the seq of the attempt's last log line, 0 when it wrote none.");
        return Answer(await leases.ReportAsync(projectId, jobId, report, cancellationToken), projectId, jobId);
    }

    // The body is the worker's lines as it formatted them, NDJSON: read as bytes, not bound.
    private static async Task<Results<Ok<LogBatchAnswer>, ValidationProblem, ProblemHttpResult>> Log(
        string projectId, string jobId, HttpRequest request, LogIngest ingest, CancellationToken cancellationToken)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        if (request.Headers[WorkerProtocol.LeaseTokenHeader].ToString() is not { Length: > 0 } token)
            return Problems.Invalid("leaseToken", $"The lease token is missing: send it in the {WorkerProtocol.LeaseTokenHeader} header.");
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("application/x-ndjson", StringComparison.OrdinalIgnoreCase))
            return Problems.UnsupportedMediaType("A log batch must be sent with Content-Type: application/x-ndjson.");
        if (await LogBatch.ReadBodyAsync(request, cancellationToken) is not { } body)
            return Problems.Invalid("body", $"The batch is larger than {LogBatch.MaxBytes} bytes (4 MiB): send smaller batches.");
        return Answer(await ingest.AppendAsync(projectId, jobId, token, body, cancellationToken), projectId, jobId);
    }

    private static Results<Ok<T>, ValidationProblem, ProblemHttpResult> Answer<T>(
        LeaseAnswer<T> answer, string projectId, string jobId) => answer switch
    {
        { IsUnknown: true } => Problems.JobNotFound(projectId, jobId),
        { Removed: { } removal } => Problems.LogRemoved(jobId, removal),
        { IsUnwritable: true } => Problems.Unwritable(answer.Problem!),
        { IsConflict: true, ExpectedSeq: { } expected } => Problems.Conflict(answer.Problem!, expected),
        { IsConflict: true } => Problems.Conflict(answer.Problem!),
        { Value: { } value } => TypedResults.Ok(value),
        _ => Problems.Invalid("report", answer.Problem!),
    };

    // The audit names rules and counts values; it never carries the values themselves.
    private static string? RedactionsProblem(IReadOnlyDictionary<string, int>? redactions) =>
        redactions is null ? null
        : redactions.Count > 64 ? "redactions may name at most 64 rules."
        : redactions.FirstOrDefault(r => !RuleIdRegex().IsMatch(r.Key) || r.Value < 0) is { Key: not null } bad
            ? $"redactions must map rule ids (1 to 40 lowercase letters, digits or '-') to counts of zero or more; '{(RuleIdRegex().IsMatch(bad.Key) ? bad.Key : "a key")}' is not."
            : null;

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,39}$")]
    private static partial Regex RuleIdRegex();
}
