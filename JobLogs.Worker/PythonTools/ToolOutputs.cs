using System.Text.Json;
using System.Text.Json.Nodes;
using JobLogs.Worker.Api;
using JobLogs.Worker.Jobs;
using JobLogs.Workers;
using Microsoft.AspNetCore.StaticFiles;

namespace JobLogs.Worker.PythonTools;

/// <summary>
/// The files a tool wrote into its <c>JOBLOGS_OUTPUT_DIR</c>: each regular file directly in it is uploaded to the Api
/// and listed under "assets" in the job's output, as a ComfyUI job lists its images. Folders and links are skipped
/// (with a warning each): a link could point anywhere on the worker's disk, and an output has no folders.
/// </summary>
internal static partial class ToolOutputs
{
    public const string Variable = "JOBLOGS_OUTPUT_DIR";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static async Task<IReadOnlyList<Asset>> UploadAsync(ApiClient api, OutputFolder folder, JobContext context, ILogger logger, CancellationToken cancellationToken)
    {
        var assets = new List<Asset>();
        foreach (var entry in new DirectoryInfo(folder.Path).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            var skipped = entry.LinkTarget is not null ? "it is a symbolic link, which is never followed"
                : entry is DirectoryInfo ? $"it is a folder; only the files directly in {Variable} are uploaded"
                : OutputFiles.NameProblem(entry.Name);
            if (skipped is not null)
            {
                LogSkipped(logger, entry.Name, skipped);
                continue;
            }
            context.Stage = "upload";
            var contentType = ContentTypes.TryGetContentType(entry.Name, out var type) ? type : null;
            assets.Add(Asset.Of(await OutputUpload.UploadAsync(api, context, entry.Name, entry.FullName, contentType, cancellationToken)));
        }
        return assets;
    }

    /// <summary>The tool's output with the uploaded files under "assets"; the tool's own "assets", if any, give way (with a warning).</summary>
    public static JsonElement? WithAssets(JsonElement? output, IReadOnlyList<Asset> assets, ILogger logger)
    {
        if (assets.Count == 0)
            return output;
        var result = output is { } value ? JsonObject.Create(value)! : [];
        if (result.ContainsKey("assets"))
            LogAssetsReplaced(logger, Variable);
        result["assets"] = JsonSerializer.SerializeToNode(assets, Json.Options);
        return JsonSerializer.SerializeToElement(result, Json.Options);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The tool's output file {Name} was not uploaded: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The tool's output had its own \"assets\"; they are replaced by the files uploaded from {Variable}")]
    private static partial void LogAssetsReplaced(ILogger logger, string variable);
}
