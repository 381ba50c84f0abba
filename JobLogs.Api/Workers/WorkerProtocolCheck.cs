using System.Globalization;
using JobLogs.Api.Extensions;
using JobLogs.Workers;

namespace JobLogs.Api.Workers;

/// <summary>
/// Refuses a worker that speaks another protocol than this Api, in one sentence that says which side to upgrade: a
/// version 1 worker writes the data root itself and would lose its logs against a version 2 Api, so it must not run.
/// </summary>
internal static class WorkerProtocolCheck
{
    public static RouteGroupBuilder RequireWorkerProtocol(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (context, next) =>
            Problem(context.HttpContext.Request) is { } problem ? problem : await next(context));
        return group;
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ValidationProblem? Problem(HttpRequest request)
    {
        var given = request.Headers[WorkerProtocol.VersionHeader].ToString();
        if (int.TryParse(given, NumberStyles.None, CultureInfo.InvariantCulture, out var version) && version == WorkerProtocol.Version)
            return null;
        var sentence = given.Length == 0
            ? $"This request names no worker protocol (header {WorkerProtocol.VersionHeader}), as a protocol 1 worker does; this Api speaks protocol {WorkerProtocol.Version}: upgrade the worker."
            : version > WorkerProtocol.Version
                ? $"This worker speaks protocol {version}; this Api speaks protocol {WorkerProtocol.Version}: upgrade the Api."
                : $"This worker speaks protocol {QueryParameters.Shorten(given)}; this Api speaks protocol {WorkerProtocol.Version}: upgrade the worker.";
        return Problems.Invalid(WorkerProtocol.VersionHeader, sentence);
    }
}
