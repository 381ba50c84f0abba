using JobLogs.Api.Assets;
using JobLogs.Api.Extensions;
using JobLogs.Api.Store;
using JobLogs.ServiceDefaults.Logging;
using JobLogs.Workers;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace JobLogs.Api.Workers;

/// <summary>
/// <c>PUT /api/worker/projects/{projectId}/jobs/{jobId}/outputs/{name}</c>: one output file of the attempt holding the
/// lease, stored as the job's asset of that name. The body is taken whole into a staged file, and only then renamed over
/// the asset: the same upload again replaces it atomically (the worker re-sends one whose answer it did not hear), one
/// too large or cut off leaves nothing.
/// </summary>
internal static partial class WorkerOutputs
{
    public static async Task<Results<Created<UploadedOutput>, Ok<UploadedOutput>, ValidationProblem, ProblemHttpResult>> Put(
        string projectId, string jobId, string name, HttpContext context, Leases leases, IAssetStore assets, IOptions<AssetOptions> options,
        ILoggerFactory loggers)
    {
        var cancellationToken = context.RequestAborted;
        var request = context.Request;
        name = RouteText.Unescaped(name);
        if (Problems.InvalidIds(("projectId", projectId), ("jobId", jobId)) is { } invalid)
            return invalid;
        if (OutputFiles.NameProblem(name) is { } nameProblem)
            return Problems.Invalid("name", nameProblem);
        var token = request.Headers[WorkerProtocol.LeaseTokenHeader].ToString();
        if (token.Length == 0)
            return Problems.Invalid("leaseToken", $"The lease token is missing: send it in the {WorkerProtocol.LeaseTokenHeader} header.");
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || !OutputFiles.ContentTypes.Contains(mediaType.MediaType.Value ?? ""))
            return Problems.UnsupportedMediaType(
                $"An output must be sent with one of these content types: {string.Join(", ", OutputFiles.ContentTypes)}; got '{QueryParameters.Shorten(request.ContentType ?? "none")}'.");
        var contentType = mediaType.MediaType.Value!.ToLowerInvariant();
        var maxBytes = options.Value.MaxUploadBytes;
        if (request.ContentLength > maxBytes)
            return TooLarge(request.ContentLength.Value, maxBytes);

        var holder = await leases.HolderAsync(projectId, jobId, token, cancellationToken);
        if (holder.IsUnknown)
            return Problems.JobNotFound(projectId, jobId);
        if (holder.IsConflict)
            return Problems.Conflict(holder.Problem!);
        AttemptTrace.Tag(System.Diagnostics.Activity.Current, holder.Value!);

        // The body is counted against the setting as it is read; Kestrel's own limit (30 MB by default) would cut it first.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = null;
        await using var staged = await assets.StageAsync(projectId, jobId, name, request.Body, maxBytes, cancellationToken);
        if (staged is null)
            return TooLarge(null, maxBytes);
        // The lease may have ended while the body came: an attempt that no longer holds the job adds nothing to it.
        holder = await leases.HolderAsync(projectId, jobId, token, cancellationToken);
        if (holder.Value is not { } job)
            return holder.IsUnknown ? Problems.JobNotFound(projectId, jobId) : Problems.Conflict(holder.Problem!);
        var (path, replaced) = await staged.CommitAsync(cancellationToken);

        var stored = new UploadedOutput(path, staged.Length, contentType);
        var logger = loggers.CreateLogger(typeof(WorkerOutputs).FullName!);
        using (logger.BeginJobScope(projectId, jobId, job.Attempt))
            LogStored(logger, name, job.Attempt, stored.Bytes, contentType, replaced ? " (replacing the one of that name)" : "");
        return replaced
            ? TypedResults.Ok(stored)
            : TypedResults.Created($"/api/projects/{projectId}/jobs/{jobId}/assets/{Uri.EscapeDataString(name)}", stored);
    }

    private static ProblemHttpResult TooLarge(long? length, long maxBytes) => Problems.TooLarge(
        $"An output may be at most {maxBytes} bytes (JobLogs:Assets:MaxUploadBytes); this one {(length is { } n ? $"is {n} bytes" : "is larger")}. Nothing of it was stored.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Output {Name} of attempt {Attempt} stored: {Bytes} bytes, {ContentType}{Replacing}")]
    private static partial void LogStored(ILogger logger, string name, int attempt, long bytes, string contentType, string replacing);
}
