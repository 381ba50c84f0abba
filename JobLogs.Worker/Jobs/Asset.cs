using JobLogs.Workers;

namespace JobLogs.Worker.Jobs;

/// <summary>
/// One output file of a job, as its output lists it under "assets": where the Api stored it, relative to the data root,
/// and what it is; a ComfyUI output names the node that put it out.
/// </summary>
internal sealed record Asset(string Path, long Bytes, string ContentType, string? NodeId = null)
{
    public static Asset Of(UploadedOutput stored, string? nodeId = null) => new(stored.Path, stored.Bytes, stored.ContentType, nodeId);
}
