using System.ComponentModel.DataAnnotations;
using JobLogs.ServiceDefaults.Redaction;

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

    /// <summary>How redaction finds secrets (section <c>JobLogs:Redaction</c>).</summary>
    public RedactionOptions Redaction { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DataRoot.Length > 0 && !Path.IsPathFullyQualified(DataRoot))
            yield return new ValidationResult($"JobLogs:DataRoot must be an absolute path; '{DataRoot}' is not.", [nameof(DataRoot)]);
        if (Redaction.MinSecretLength is < 4 or > 256)
            yield return new ValidationResult("JobLogs:Redaction:MinSecretLength must be from 4 to 256 characters.", [nameof(Redaction)]);
        if (LocalConfig.Read(LocalConfigPath).Problem is { } problem)
            yield return new ValidationResult($"JobLogs:LocalConfigPath: {problem}", [nameof(LocalConfigPath)]);
    }
}

public sealed class RedactionOptions
{
    /// <summary>Configured secret values shorter than this are not searched for in free text, so they cannot blank out ordinary words.</summary>
    public int MinSecretLength { get; set; } = RedactionSettings.DefaultMinSecretLength;
}
