using JobLogs.Api.Extensions;
using JobLogs.Api.Store;
using JobLogs.Api.Workers;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.ServiceDefaults.Logging.Shipping;
using JobLogs.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace JobLogs.Api.Logs;

/// <summary>
/// The lines the worker and the web hand the Api outside a lease (DESIGN.md, Past one machine): the notable lines of
/// their runtime logs, <c>POST /api/system/logs/{service}</c> (warn and above, start and stop, each naming its
/// <c>instance</c>), and the web's <c>ui</c> entries of a job, <c>POST /api/projects/{projectId}/jobs/{jobId}/log</c>.
/// Both take whole JSON lines (<c>application/x-ndjson</c>), refuse a batch whole with a sentence naming the line, and
/// store a batch once per <c>Idempotency-Key</c>.
/// </summary>
internal static class LogAppendApi
{
    /// <summary>The services whose runtime log takes lines, and the caller whose key may send them.</summary>
    private static readonly Dictionary<string, string> Senders = new() { ["worker"] = ApiKeys.Callers.Worker, ["web"] = ApiKeys.Callers.Web };

    public static IEndpointRouteBuilder MapRuntimeLogAppend(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/system/logs/{service}", AppendRuntime).WithTags("System logs")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status507InsufficientStorage);
        return routes;
    }

    public static IEndpointRouteBuilder MapUiLogAppend(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/api/projects/{projectId}/jobs/{jobId}/log", AppendUi).WithTags("Logs")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType).ProducesProblem(StatusCodes.Status507InsufficientStorage);
        return routes;
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AppendRuntime(
        string service, HttpRequest request, ILogStore logs, AppendedBatches batches, AccessMode access)
    {
        if (!Senders.TryGetValue(service, out var sender))
            return service == "backend"
                ? Problems.Invalid("service", "The backend's runtime log is the Api's own: it takes no lines from outside.")
                : Problems.NotFound($"There is no service log named '{QueryParameters.Shorten(service)}' that takes lines; the worker's and the web's do.");
        if (!access.Open && !request.HttpContext.User.IsInRole(sender))
            return TypedResults.Problem($"This key may not write the {service}'s runtime log: only the {service}'s own key may.",
                statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");
        return await AppendAsync(request, batches, line =>
            !Ids.IsInstance(line.Instance)
                ? "carries no instance of 1 to 128 letters, digits, '.', ':', '-' or '_'"
                : line.Component is null ? "carries no component" : null,
            (bytes, _) => logs.Append(LogName.Runtime(service), bytes.Span), logs);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AppendUi(
        string projectId, string jobId, HttpRequest request, IJobStore jobs, ILogStore logs, AppendedBatches batches)
    {
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        if (await jobs.GetAsync(projectId, jobId, request.HttpContext.RequestAborted) is not { } job)
            return Problems.JobNotFound(projectId, jobId);
        if (job.LogRemoved is { } removed)
            return Problems.LogRemoved(jobId, removed);
        var ui = ServiceDefaults.ServiceIdentity.Web.Component;
        return await AppendAsync(request, batches, line =>
            line.ProjectId != projectId || line.JobId != jobId ? $"names another job than {jobId} of project {projectId}"
            : line.Attempt is not ({ } attempt and >= 0) || attempt > job.Attempt ? $"names no attempt of job {jobId} (0 to {job.Attempt})"
            : line.Component != ui ? $"has component {line.Component ?? "(none)"}; only the web's '{ui}' entries are taken here"
            : line.Seq is not null ? "carries a seq: a worker's lines are shipped with its lease"
            : null,
            (bytes, line) =>
            {
                var key = new JobKey(projectId, jobId, line.Attempt!.Value);
                if (logs.AppendToJob(key, bytes.Span, wantOffset: false, out _) == JobLogAppend.CapReached)
                    logs.AppendMarkerToJob(key, JobLogCapMarker.Line(ServiceDefaults.ServiceIdentity.Api.Component, key, logs.JobLogCapBytes));
            }, logs);
    }

    /// <summary>Reads and checks the batch (<paramref name="problem"/>: why a line is refused), then stores each line once per key.</summary>
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> AppendAsync(
        HttpRequest request, AppendedBatches batches, Func<ShippedLine, string?> problem, Action<ReadOnlyMemory<byte>, ShippedLine> store, ILogStore logs)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals(LogUplink.Ndjson.MediaType, StringComparison.OrdinalIgnoreCase))
            return Problems.UnsupportedMediaType($"Log lines must be sent with Content-Type: {LogUplink.Ndjson.MediaType}.");
        if (await LogBatch.ReadBodyAsync(request, request.HttpContext.RequestAborted) is not { } body)
            return Problems.Invalid("body", $"The batch is larger than {LogBatch.MaxBytes} bytes (4 MiB): send smaller batches.");
        var (lines, refused) = LogBatch.Split(body.Span, problem);
        if (refused is not null)
            return Problems.Invalid("body", refused);
        var key = request.Headers[LogUplink.IdempotencyKeyHeader].ToString();
        if (key.Length > 0 && !batches.Begin(key))
            return TypedResults.NoContent();
        try
        {
            foreach (var line in lines!)
                store(body.Slice(line.Start, line.Length), line.Line);
            return TypedResults.NoContent();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (key.Length > 0)
                batches.Failed(key);
            return Problems.Unwritable($"The Api cannot store these lines: {logs.Describe(ex)}");
        }
    }
}
