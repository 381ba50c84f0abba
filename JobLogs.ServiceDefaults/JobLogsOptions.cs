using System.ComponentModel.DataAnnotations;
using JobLogs.ServiceDefaults.Redaction;

namespace JobLogs.ServiceDefaults;

/// <summary>The settings every service shares (section <c>JobLogs</c>).</summary>
public sealed class JobLogsOptions : IValidatableObject
{
    public const string Section = "JobLogs";

    /// <summary>
    /// Absolute path of the data root: records, job logs, assets, runtime logs. Only the Api has one (it requires it);
    /// the worker and the web keep nothing there.
    /// </summary>
    public string DataRoot { get; set; } = "";

    /// <summary>The file a worker or the web keeps its own runtime log in (see <see cref="Logging.Shipping.LocalRuntimeLog"/>).</summary>
    public string? RuntimeLogPath { get; set; }

    /// <summary>This replica's name in its runtime entries (see <see cref="ServiceIdentity.Instance"/>).</summary>
    [RegularExpression(Ids.InstancePattern, ErrorMessage = "JobLogs:Instance must be 1 to 128 letters, digits, '.', ':', '-' or '_', starting with a letter or digit.")]
    public string? Instance { get; set; }

    /// <summary>The JSON file with weight roots for path aliases (config/local.json at the repo root by default).</summary>
    public string? LocalConfigPath { get; set; }

    /// <summary>Each job log's size cap; past it, one marker entry says later entries are dropped.</summary>
    [Range(4096, long.MaxValue, ErrorMessage = "JobLogs:JobLogCapBytes must be at least 4096.")]
    public long JobLogCapBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>How redaction finds secrets (section <c>JobLogs:Redaction</c>).</summary>
    public RedactionOptions Redaction { get; set; } = new();

    /// <summary>
    /// The configured data root when it is set and absolute, else null. Read so leniently because the logger is built
    /// before options are validated: a bad data root is reported by that validation, in one sentence, not while the
    /// logger is built.
    /// </summary>
    public static string? UsableDataRoot(Microsoft.Extensions.Configuration.IConfiguration configuration) =>
        configuration[$"{Section}:DataRoot"] is { Length: > 0 } root && Path.IsPathFullyQualified(root) ? root : null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DataRoot.Length > 0 && !Path.IsPathFullyQualified(DataRoot))
            yield return new ValidationResult($"JobLogs:DataRoot must be an absolute path; '{DataRoot}' is not.", [nameof(DataRoot)]);
        if (RuntimeLogPath is { Length: > 0 } runtimeLog && !Path.IsPathFullyQualified(runtimeLog))
            yield return new ValidationResult($"JobLogs:RuntimeLogPath must be an absolute path; '{runtimeLog}' is not.", [nameof(RuntimeLogPath)]);
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
