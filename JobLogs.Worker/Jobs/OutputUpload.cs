using JobLogs.Jobs;
using JobLogs.Worker.Api;
using JobLogs.Worker.Failures;
using JobLogs.Workers;

namespace JobLogs.Worker.Jobs;

/// <summary>
/// Uploads one output file of the attempt to the Api by name, streamed from the worker's disk. The Api stores it as the
/// job's asset; a failed upload fails the run with a card, since a job that says it succeeded must have its outputs.
/// </summary>
internal static class OutputUpload
{
    /// <summary>The content type to send: <paramref name="contentType"/> when the Api takes it, otherwise plain bytes.</summary>
    public static string Accepted(string? contentType) =>
        contentType is not null && OutputFiles.ContentTypes.Contains(contentType) ? contentType.ToLowerInvariant() : OutputFiles.Binary;

    public static async Task<UploadedOutput> UploadAsync(
        ApiClient api, JobContext context, string name, string file, string? contentType, CancellationToken cancellationToken)
    {
        var where = $"PUT {WorkerRoutes.Output(context.Job.ProjectId, context.Job.Id, name)}";
        LeaseReply<UploadedOutput> reply;
        try
        {
            // Seekable, so a request the handler re-sends starts from the first byte again.
            await using var content = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 81920, useAsync: true);
            reply = await api.PutOutputAsync(context.Job, context.LeaseToken, name, content, Accepted(contentType), cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new JobFailedException(Card($"The output {name} could not be uploaded to the Api: {ex.Message}", FailureTypes.UploadFailed, context, where), ex);
        }
        if (reply.LeaseLost)
            throw new JobFailedException(Card($"The Api refused the output {name}: {reply.Conflict}", FailureTypes.LeaseLost, context, where));
        return reply.Value!;
    }

    private static FailureCard Card(string message, string type, JobContext context, string where) => new()
    {
        Message = message, Type = type, Component = "worker", Stage = context.Stage, Where = where,
    };
}
