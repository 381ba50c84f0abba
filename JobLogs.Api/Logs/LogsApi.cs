namespace JobLogs.Api.Logs;

/// <summary>
/// A job's log. <c>GET …/jobs/{jobId}/log</c> answers one window as the tail response (or raw JSONL, or a download;
/// see <see cref="TailQuery"/>); <c>GET …/jobs/{jobId}/log/stream</c> follows it as Server-Sent Events until the job
/// has finished and its log is drained (see <see cref="LogStream"/>).
/// </summary>
internal static class LogsApi
{
    public static IEndpointRouteBuilder MapLogsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/projects").WithTags("Logs");
        group.MapGet("/{projectId}/jobs/{jobId}/log", Tail).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        group.MapGet("/{projectId}/jobs/{jobId}/log/stream", Stream).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone);
        return routes;
    }

    private static async Task<IResult> Tail(string projectId, string jobId, HttpRequest request, LogResolver logs) =>
        (await logs.JobLogAsync(projectId, jobId, request, stream: false)).Answer(log => new TailResult(log));

    private static async Task<IResult> Stream(string projectId, string jobId, HttpContext context, LogResolver logs, LogStream stream) =>
        (await logs.JobLogAsync(projectId, jobId, context.Request, stream: true)).Answer(log => stream.Start(context, log));
}
