namespace JobLogs.Api.Logs;

/// <summary>
/// The services' own logs, backend, worker and web, read like job logs: <c>GET /api/system/logs/{service}</c>
/// (see <see cref="TailQuery"/>) and <c>GET /api/system/logs/{service}/stream</c>, which never ends by itself.
/// </summary>
internal static class SystemLogsApi
{
    public static IEndpointRouteBuilder MapSystemLogsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/system/logs").WithTags("System logs");
        group.MapGet("/{service}", Tail).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{service}/stream", Stream).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        return routes;
    }

    private static async Task<IResult> Tail(string service, HttpRequest request, LogResolver logs) =>
        (await logs.ServiceLogAsync(service, request, stream: false)).Answer(log => new TailResult(log));

    private static async Task<IResult> Stream(string service, HttpContext context, LogResolver logs, LogStream stream) =>
        (await logs.ServiceLogAsync(service, context.Request, stream: true)).Answer(log => stream.Start(context, log));
}
