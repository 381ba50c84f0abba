using JobLogs.Jobs;
using JobLogs.Worker.Api;
using JobLogs.Worker.Failures;
using JobLogs.Worker.Jobs;
using JobLogs.Workers;

namespace JobLogs.Worker.ComfyUI;

/// <summary>
/// One output of a prompt: downloaded from ComfyUI into the attempt's output folder on the worker's disk, then uploaded
/// to the Api as the job's asset. Its name is ComfyUI's filename, after its subfolders ("a/b" and "x.png" make
/// "a-b-x.png"): an output has no folders.
/// </summary>
internal static class OutputDownload
{
    public static async Task<Asset> DownloadAsync(
        ComfyUIClient client, ApiClient api, OutputFolder folder, OutputFile file, JobContext context, CancellationToken cancellationToken)
    {
        context.Where = $"GET {client.Endpoint("view")}?filename={file.Filename}&subfolder={file.Subfolder}&type={file.Type}";
        if (PlainParts(file) is not { } parts)
            throw Refused(file, context, "that would leave the job's assets folder");
        var name = string.Join('-', parts);
        if (OutputFiles.NameProblem(name) is { } problem)
            throw Refused(file, context, $"that cannot name an output ({problem})");
        var destination = Path.Combine(folder.Path, name);
        var downloaded = await client.DownloadAsync(file, destination, cancellationToken);
        var stored = await OutputUpload.UploadAsync(api, context, name, destination, downloaded.ContentType, cancellationToken);
        return Asset.Of(stored, file.NodeId);
    }

    /// <summary>subfolder parts and filename as ComfyUI gave them, when all are plain names.</summary>
    private static List<string>? PlainParts(OutputFile file)
    {
        var parts = file.Subfolder.Split('/', StringSplitOptions.RemoveEmptyEntries).Append(file.Filename).ToList();
        return parts.All(p => p is not ("." or "..") && !p.Contains('\\') && !p.Contains('\0') && p.Length > 0) ? parts : null;
    }

    private static JobFailedException Refused(OutputFile file, JobContext context, string why) => new(new FailureCard
    {
        Message = $"ComfyUI named an output '{file.Subfolder}/{file.Filename}' {why}; it was not downloaded.",
        Type = FailureTypes.DownloadFailed, Component = "comfyui", Stage = "download", Where = context.Where,
    });
}
