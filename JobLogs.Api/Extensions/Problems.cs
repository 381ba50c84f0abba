using System.Diagnostics;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Redaction;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Extensions;

/// <summary>
/// The one home of problem details. Every error is a ProblemDetails with a sentence that says what is wrong: the answers
/// every route shares are made here, and the pipeline set up here gives the framework's own errors a sentence too,
/// redacts every sentence, and logs every failed request to the service log: body and binding errors are 4xx (never
/// 500), unhandled exceptions are 500.
/// </summary>
internal static partial class Problems
{
    /// <summary>A 400 naming each invalid id, or null when all are valid.</summary>
    public static ValidationProblem? InvalidIds(params (string Kind, string? Value)[] ids)
    {
        var errors = ids
            .Select(id => (id.Kind, Problem: Ids.Problem(id.Kind, id.Value)))
            .Where(e => e.Problem is not null)
            .ToDictionary(e => e.Kind, e => new[] { e.Problem! });
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(v => v)));
    }

    public static ValidationProblem Invalid(string field, string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] }, detail: problem);

    public static ValidationProblem Invalid(Dictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(v => v)));

    // 404, 409 and 503 answers are ProblemHttpResults so they pass through the ProblemDetails service
    // (traceId, the failed-request log) like every other error; routes declare them with ProducesProblem.
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    /// <summary>A 409 that names the <c>seq</c> the Api expects next: the worker sends its log from there, then again.</summary>
    public static ProblemHttpResult Conflict(string detail, long expectedSeq) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict",
            extensions: new Dictionary<string, object?> { [JobLogs.Workers.WorkerProtocol.ExpectedSeq] = expectedSeq });

    public static ProblemHttpResult UnsupportedMediaType(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type");

    /// <summary>507: the Api cannot store what was sent (its disk is full, or the log's place is taken), so sending it again is no use.</summary>
    public static ProblemHttpResult Unwritable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status507InsufficientStorage, title: "Cannot store");

    public static ProblemHttpResult Unavailable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");

    /// <summary>
    /// The one answer for a job whose log and assets retention removed, on the log, stream and asset routes: 410 Gone
    /// (the job exists, so a 404 would mislead) with when and why.
    /// </summary>
    public static ProblemHttpResult LogRemoved(string jobId, LogRemoval removal) =>
        TypedResults.Problem($"The log and assets of job {jobId} were removed by retention at {removal.At:u} ({removal.Reason}).",
            statusCode: StatusCodes.Status410Gone, title: "Removed by retention");

    public static ProblemHttpResult JobNotFound(string projectId, string jobId) =>
        NotFound($"Job {jobId} does not exist in project {projectId}.");

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large");

    private const string DetailItem = "JobLogs.ProblemDetail";

    public static IServiceCollection AddRequestProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            problem.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString();
            problem.Detail ??= DefaultDetail(context.HttpContext);
            // A sentence may quote what the client sent: it is redacted like everything else that leaves the Api.
            var redactor = context.HttpContext.RequestServices.GetRequiredService<Redactor>();
            problem.Detail = problem.Detail is null ? null : redactor.Redact(problem.Detail);
            if (problem is HttpValidationProblemDetails validation)
                foreach (var (field, errors) in validation.Errors.ToList())
                    validation.Errors[field] = [.. errors.Select(e => redactor.Redact(e))];
            context.HttpContext.Items[DetailItem] = problem.Detail ?? problem.Title;
        });
        services.AddExceptionHandler<BadRequestHandler>();
        services.AddExceptionHandler<StoreUnavailableHandler>();
        // Binding failures throw, so the handler above can say exactly what was wrong with the request.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    // Answers the framework gives by itself (no route, wrong method, wrong content type) still say what is wrong.
    private static string? DefaultDetail(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status401Unauthorized => $"This route needs an API key in the {JobLogs.ServiceDefaults.Security.ApiKeys.Header} header.",
        StatusCodes.Status403Forbidden => "The API key given is not valid for this route.",
        StatusCodes.Status404NotFound => $"There is no route {context.Request.Method} {context.Request.Path}.",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Path} does not accept {context.Request.Method}.",
        StatusCodes.Status415UnsupportedMediaType => "The request body must be JSON, sent with Content-Type: application/json.",
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        _ => null,
    };

    public static WebApplication UseRequestProblems(this WebApplication app)
    {
        app.Use(LogFailedRequests);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }

    private static async Task LogFailedRequests(HttpContext context, RequestDelegate next)
    {
        await next(context);
        if (context.Response.StatusCode < 400)
            return;
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("JobLogs.Api.Requests");
        var detail = context.Items[DetailItem] as string ?? "";
        if (context.Response.StatusCode >= 500)
            LogServerError(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode, detail);
        else
            LogClientError(logger, context.Request.Method, context.Request.Path, context.Response.StatusCode, detail);
    }

    /// <summary>Maps what a client sent wrong (bad JSON, wrong content type, too large a body) to its 4xx.</summary>
    private sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad)
                return false;
            var detail = bad.InnerException is JsonException json
                ? $"The request body is not valid JSON for this route: {json.Message}"
                : bad.Message;
            context.Response.StatusCode = bad.StatusCode;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails = { Status = bad.StatusCode, Title = "Bad request", Detail = detail },
            });
        }
    }

    /// <summary>
    /// Cluster mode's database not answering (down, restarting, unreachable) is a 503 the client may try again after,
    /// never a 500: nothing the client sent is wrong. The sentence names no server and no credential.
    /// </summary>
    private sealed class StoreUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        private const int RetryAfterSeconds = 5;

        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not (System.Data.Common.DbException or TimeoutException { InnerException: System.Data.Common.DbException }))
                return false;
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails =
                {
                    Status = StatusCodes.Status503ServiceUnavailable, Title = "Service unavailable",
                    Detail = $"The Api's database is not answering; try again in {RetryAfterSeconds} s (the Api's service log says why).",
                },
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Method} {Path} answered {StatusCode}: {Detail}")]
    private static partial void LogClientError(ILogger logger, string method, string path, int statusCode, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} answered {StatusCode}: {Detail}")]
    private static partial void LogServerError(ILogger logger, string method, string path, int statusCode, string detail);
}
