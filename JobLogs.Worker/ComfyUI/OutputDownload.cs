using JobLogs.Jobs;
using JobLogs.Worker.Failures;
using JobLogs.Worker.Jobs;

namespace JobLogs.Worker.ComfyUI;

/// <summary>One file of a comfyui.workflow job's output: where it is, relative to the data root, and what it is.</summary>
internal sealed record Asset(string Path, long Bytes, string ContentType, string NodeId);

/// <summary>The download of a prompt's output into the job's assets folder, under the names ComfyUI gave, never outside it.</summary>
internal static class OutputDownload
{
    public static async Task<Asset> DownloadAsync(ComfyUIClient client, DataLayout layout, OutputFile file, JobContext context, CancellationToken cancellationToken)
    {
        var folder = layout.Assets(context.Job.ProjectId, context.Job.Id);
        var relative = SafeRelative(file);
        var destination = relative is null ? null : Path.GetFullPath(Path.Combine(folder, relative));
        context.Where = $"GET {client.Endpoint("view")}?filename={file.Filename}&subfolder={file.Subfolder}&type={file.Type}";
        if (destination is null || !destination.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new JobFailedException(new FailureCard
            {
                Message = $"ComfyUI named an output '{file.Subfolder}/{file.Filename}' that would leave the job's assets folder; it was not downloaded.",
                Type = FailureTypes.DownloadFailed, Component = "comfyui", Stage = "download", Where = context.Where,
            });
        var downloaded = await client.DownloadAsync(file, destination, cancellationToken);
        return new Asset(layout.Relative(destination)!, downloaded.Bytes, downloaded.ContentType, file.NodeId);
    }

    /// <summary>subfolder/filename as ComfyUI gave them, when both are plain relative names.</summary>
    private static string? SafeRelative(OutputFile file)
    {
        var parts = file.Subfolder.Split('/', StringSplitOptions.RemoveEmptyEntries).Append(file.Filename).ToList();
        return parts.All(p => p is not ("." or "..") && !p.Contains('\\') && !p.Contains('\0') && p.Length > 0)
            ? Path.Combine([.. parts])
            : null;
    }
}
