using System.Text;
using System.Text.Json;
using JobLogs.Api.Extensions;
using JobLogs.Api.Logs;
using JobLogs.Api.Store;
using JobLogs.Events;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Events;

/// <summary>
/// A project's events: <c>GET /api/projects/{projectId}/events</c> reads them by offset (<c>after=</c> for newer ones,
/// <c>before=</c> for older ones, the newest without either; <c>limit</c> 1-500), the way job logs are read; approving an
/// asset and creating an export (<see cref="AssetActionsApi"/>) append their own.
/// </summary>
internal static class EventsApi
{
    public const int DefaultLimit = 100, MaxLimit = 500;
    /// <summary>The bytes scanned per page: MaxLimit events of a few hundred bytes; an export naming 100 assets is under 8 KB.</summary>
    public const int WindowBytes = 512 * 1024;
    private static readonly string[] Parameters = ["after", "before", "limit"];

    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/projects/{projectId}").WithTags("Events");
        group.MapGet("/events", Read);
        group.MapPost("/assets/{assetId}/approval", AssetActionsApi.Approve)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        group.MapPost("/exports", AssetActionsApi.Export).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return routes;
    }

    /// <summary>A page of events, oldest first. A project without events (or unknown) has an empty page.</summary>
    private static async Task<Results<Ok<ProjectEventPage>, ValidationProblem>> Read(string projectId, HttpRequest request, ILogStore logs)
    {
        if (Problems.InvalidIds(("projectId", projectId)) is { } invalid)
            return invalid;
        var errors = new Dictionary<string, string[]>();
        request.RefuseUnknown(Parameters, errors);
        var after = TailQuery.Offset(request, "after", errors);
        var before = TailQuery.Offset(request, "before", errors);
        if (after is not null && before is not null)
            errors["before"] = ["Give after (newer events) or before (older events), not both."];
        var limit = request.Number("limit", DefaultLimit, 1, MaxLimit, errors);
        if (errors.Count > 0)
            return Problems.Invalid(errors);

        using var log = await logs.OpenAsync(LogName.Events(projectId), request.HttpContext.RequestAborted);
        if (LogResolver.PastEnd(log, ("after", after), ("before", before)) is { } pastEnd)
            return pastEnd;
        return TypedResults.Ok(after is { } from ? await Newer(log, from, limit) : await Older(log, before ?? log.Length, limit));
    }

    /// <summary>The first <paramref name="limit"/> events from <paramref name="after"/>; End is where the next page starts.</summary>
    private static async Task<ProjectEventPage> Newer(ILogReader log, long after, int limit)
    {
        using var window = await log.AfterAsync(after, WindowBytes);
        var lines = window.Lines.Take(limit).ToList();
        var end = lines.Count < window.Lines.Count ? lines[^1].Next : window.End;
        return Page(window, lines, window.Start, end);
    }

    /// <summary>The last <paramref name="limit"/> events before <paramref name="before"/>; Start is where the next older page ends.</summary>
    private static async Task<ProjectEventPage> Older(ILogReader log, long before, int limit)
    {
        using var window = await log.BeforeAsync(before, WindowBytes);
        var lines = window.Lines.TakeLast(limit).ToList();
        var start = lines.Count < window.Lines.Count ? lines[0].Offset : window.Start;
        return Page(window, lines, start, window.End);
    }

    private static ProjectEventPage Page(LogWindow window, List<LogWindow.Line> lines, long start, long end) =>
        new(start, end, window.Size, start > 0, [.. lines.Select(line => Item(line, window.Bytes(line)))]);

    /// <summary>A line that is not an event is shown flagged with its text, never dropped.</summary>
    private static ProjectEventItem Item(LogWindow.Line line, ReadOnlySpan<byte> bytes)
    {
        if (!line.Cut)
        {
            try
            {
                if (JsonSerializer.Deserialize<ProjectEvent>(bytes, Json.Options) is { } projectEvent)
                    return new ProjectEventItem(line.Offset, projectEvent);
            }
            catch (JsonException)
            {
                // shown below as malformed
            }
        }
        return new ProjectEventItem(line.Offset, Raw: Encoding.UTF8.GetString(bytes), Malformed: true);
    }
}
