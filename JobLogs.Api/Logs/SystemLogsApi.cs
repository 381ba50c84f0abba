using JobLogs.Api.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Logs;

/// <summary>
/// The services' own logs, backend, worker and web, read like job logs: <c>GET /api/system/logs/{service}</c>
/// (see <see cref="TailQuery"/>) and <c>GET /api/system/logs/{service}/stream</c>, which never ends by itself.
/// </summary>
internal static class SystemLogsApi
{
    public static readonly IReadOnlyList<string> Services = ["backend", "worker", "web"];

    public static IEndpointRouteBuilder MapSystemLogsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/system/logs").WithTags("System logs");
        group.MapGet("/{service}", Tail).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{service}/stream", Stream).ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static Results<TailResult, ValidationProblem, ProblemHttpResult> Tail(string service, HttpRequest request, DataLayout layout)
    {
        if (Unknown(service) is { } unknown)
            return unknown;
        var (query, errors) = TailQuery.ParseTail(request);
        if (errors is not null)
            return Problems.Invalid(errors);
        var (result, problem) = TailResult.For(layout.RuntimeLog(service), query!, $"{service}.jsonl");
        return result is not null ? result : problem!;
    }

    private static Results<ServerSentEventsResult<string>, ValidationProblem, ProblemHttpResult> Stream(
        string service, HttpContext context, DataLayout layout, LogStream stream)
    {
        if (Unknown(service) is { } unknown)
            return unknown;
        var (query, errors) = TailQuery.ParseStream(context.Request);
        if (errors is not null)
            return Problems.Invalid(errors);
        var (events, problem) = stream.Start(context, layout.RuntimeLog(service), query!, finished: null);
        return events is not null ? events : problem!;
    }

    private static ProblemHttpResult? Unknown(string service) => Services.Contains(service)
        ? null
        : Problems.NotFound($"There is no service log named '{QueryParameters.Shorten(service)}'; the services are {string.Join(", ", Services)}.");
}
