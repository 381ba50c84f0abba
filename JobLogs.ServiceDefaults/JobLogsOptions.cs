using System.ComponentModel.DataAnnotations;

namespace JobLogs.ServiceDefaults;

/// <summary>The settings every service shares (section <c>JobLogs</c>).</summary>
public sealed class JobLogsOptions : IValidatableObject
{
    public const string Section = "JobLogs";

    /// <summary>Absolute path of the data root: records, job logs, assets, runtime logs.</summary>
    [Required(ErrorMessage = "JobLogs:DataRoot is not set: give the absolute path of the data folder.")]
    public string DataRoot { get; set; } = "";

    /// <summary>The JSON file with weight roots for path aliases (config/local.json at the repo root by default).</summary>
    public string? LocalConfigPath { get; set; }

    /// <summary>Each job log's size cap; past it, one marker entry says later entries are dropped.</summary>
    [Range(4096, long.MaxValue, ErrorMessage = "JobLogs:JobLogCapBytes must be at least 4096.")]
    public long JobLogCapBytes { get; set; } = 256L * 1024 * 1024;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DataRoot.Length > 0 && !Path.IsPathFullyQualified(DataRoot))
            yield return new ValidationResult($"JobLogs:DataRoot must be an absolute path; '{DataRoot}' is not.", [nameof(DataRoot)]);
    }
}
