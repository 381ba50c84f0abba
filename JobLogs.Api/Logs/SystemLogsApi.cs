using JobLogs.Api.Extensions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Logs;

/// <summary>The services' own logs: <c>GET /api/system/logs/{service}?tailBytes=80000</c> for backend, worker and web.</summary>
internal static class SystemLogsApi
{
    public static readonly IReadOnlyList<string> Services = ["backend", "worker", "web"];

    public static IEndpointRouteBuilder MapSystemLogsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/system/logs").WithTags("System logs")
            .MapGet("/{service}", Tail).ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static Results<TailResult, ValidationProblem, ProblemHttpResult> Tail(string service, HttpRequest request, DataLayout layout)
    {
        if (!Services.Contains(service))
            return Problems.NotFound($"There is no service log named '{(service.Length > 40 ? service[..40] + "…" : service)}'; the services are {string.Join(", ", Services)}.");
        var (query, errors) = TailQuery.Parse(request);
        if (errors is not null)
            return Problems.Invalid(errors);
        return new TailResult(LogWindow.Tail(layout.RuntimeLog(service), query!.TailBytes), query.RawJsonl);
    }
}
