using Microsoft.AspNetCore.Http.HttpResults;

namespace JobLogs.Api.Retention;

/// <summary>Runs the cleanup now: <c>POST /api/admin/retention</c>. An operator's route; the web never forwards it.</summary>
internal static class RetentionApi
{
    public static IEndpointRouteBuilder MapRetentionApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/admin").WithTags("Admin").MapPost("/retention", Run);
        return routes;
    }

    private static async Task<Ok<CleanupReport>> Run(Cleanup cleanup, CancellationToken cancellationToken) =>
        TypedResults.Ok(await cleanup.RunAsync(cancellationToken));
}
