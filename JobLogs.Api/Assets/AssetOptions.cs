using System.ComponentModel.DataAnnotations;

namespace JobLogs.Api.Assets;

/// <summary>What the Api takes of a job's output files (section <c>JobLogs:Assets</c>).</summary>
internal sealed class AssetOptions
{
    public const string Section = "JobLogs:Assets";

    /// <summary>The largest output file a worker may upload; a larger one is refused whole (413), nothing of it kept.</summary>
    [Range(1L, 64L * 1024 * 1024 * 1024, ErrorMessage = "JobLogs:Assets:MaxUploadBytes must be from 1 byte to 64 GiB.")]
    public long MaxUploadBytes { get; set; } = 512L * 1024 * 1024;
}
