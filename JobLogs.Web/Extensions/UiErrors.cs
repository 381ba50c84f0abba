using System.Threading.RateLimiting;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace JobLogs.Web.Extensions;

/// <summary>
/// <c>POST /api/ui-errors</c>, served by the web itself: script errors and failed requests reported by the browser.
/// A report from a job's page goes to that job's log (component <c>ui</c>, through the web's own logging pipeline, which
/// ships it to the Api); any other to the web's runtime log. Reports are small (<see cref="MaxBodyBytes"/>), their texts cut, and each client may send
/// only so many a minute.
/// </summary>
internal static partial class UiErrors
{
    public const string Path = "/api/ui-errors";
    public const int MaxBodyBytes = 16 * 1024;
    private const string Policy = "ui-errors";
    private static readonly string[] Kinds = ["error", "rejection", "request"];

    public static IServiceCollection AddUiErrors(this IServiceCollection services)
    {
        services.AddRateLimiter(options =>
        {
            options.AddPolicy(Policy, context =>
            {
                var perMinute = context.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value.UiErrorsPerMinute;
                return RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                var perMinute = context.HttpContext.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value.UiErrorsPerMinute;
                context.HttpContext.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = 429, Title = "Too many requests", Detail = $"This client sent more than {perMinute} browser error reports in a minute; the rest of this minute's are dropped." },
                });
            };
        });
        return services;
    }

    public static WebApplication MapUiErrors(this WebApplication app)
    {
        app.UseRateLimiter();
        app.MapPost(Path, Report).RequireRateLimiting(Policy).WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes)).DisableAntiforgery();
        return app;
    }

    /// <summary>What the browser sends (js/ui-errors.js). Every text is cut before it is logged.</summary>
    public sealed record UiErrorReport(
        string? Kind, string? Message, string? ProjectId = null, string? JobId = null, string? Page = null, string? Source = null,
        int? Line = null, int? Column = null, string? Stack = null, string? Method = null, string? Url = null, int? Status = null);

    private static async Task<Results<NoContent, ValidationProblem>> Report(
        UiErrorReport report, HttpContext context, ApiClient api, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (report.Kind is null || !Kinds.Contains(report.Kind))
            return Invalid("kind", $"kind must be one of {string.Join(", ", Kinds)}.");
        if (string.IsNullOrWhiteSpace(report.Message))
            return Invalid("message", "message is missing: say what went wrong.");

        var logger = loggers.CreateLogger("JobLogs.Web.UiErrors");
        var data = new Dictionary<string, object?>
        {
            ["page"] = Cut(report.Page, 300), ["userAgent"] = Cut(context.Request.Headers.UserAgent.ToString(), 200),
        };
        if (report.Source is not null) data["source"] = $"{Cut(report.Source, 300)}:{report.Line}:{report.Column}";
        if (report.Stack is not null) data["stack"] = Cut(report.Stack, 4000);

        // A job that exists gets the entry in its own log; anything else stays in the web's log (no file is made for a made-up id).
        var job = Ids.IsValid(report.ProjectId) && Ids.IsValid(report.JobId) ? await api.JobAsync(report.ProjectId, report.JobId, cancellationToken) : null;
        using (job is null ? null : logger.BeginJobScope(job.ProjectId, job.Id, job.Attempt))
        using (logger.BeginComponentScope("ui"))
        {
            if (job is null && Ids.IsValid(report.JobId))
                data["reportedJobId"] = report.JobId;
            if (report.Kind == "request")
            {
                data["call"] = new Dictionary<string, object?> { ["target"] = Cut(report.Url, 300), ["op"] = Cut(report.Method ?? "GET", 10), ["status"] = report.Status };
                logger.LogWithData(LogLevel.Warning, null, data, "Browser request failed on {Page}: {Method} {Url} answered {Status}: {Message}",
                    Cut(report.Page, 300), Cut(report.Method ?? "GET", 10), Cut(report.Url, 300), report.Status?.ToString() ?? "nothing", Cut(report.Message, 1000));
            }
            else
                logger.LogWithData(LogLevel.Error, null, data, "Browser script error on {Page}: {Message}", Cut(report.Page, 300), Cut(report.Message, 1000));
        }
        return TypedResults.NoContent();
    }

    private static ValidationProblem Invalid(string field, string problem) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [problem] }, detail: problem);

    private static string? Cut(string? text, int max) => text is null ? null : text.Length <= max ? text : text[..max] + "…";
}
