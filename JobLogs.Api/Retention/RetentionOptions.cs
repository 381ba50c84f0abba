using System.ComponentModel.DataAnnotations;

namespace JobLogs.Api.Retention;

/// <summary>
/// What the cleanup keeps (section <c>JobLogs:Retention</c>). The job limits are off unless set, so nothing a person
/// made on a workstation disappears by surprise; a deployment sets them (docs/DEPLOYMENT.md, Retention). Queued and
/// running jobs are never touched.
/// </summary>
internal sealed class RetentionOptions : IValidatableObject
{
    public const string Section = "JobLogs:Retention";

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00", ErrorMessage = "JobLogs:Retention:Interval must be between 1 second and 7 days.")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A service log is rotated past this size.</summary>
    [Range(4096, long.MaxValue, ErrorMessage = "JobLogs:Retention:RuntimeLogMaxBytes must be at least 4096.")]
    public long RuntimeLogMaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Rotated service log files kept per service, besides the current one.</summary>
    [Range(1, 1000, ErrorMessage = "JobLogs:Retention:RuntimeLogFiles must be from 1 to 1000.")]
    public int RuntimeLogFiles { get; set; } = 5;

    /// <summary>A finished job loses its log and assets this long after it finished; unset: never by age.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "36500.00:00:00", ErrorMessage = "JobLogs:Retention:JobMaxAge must be between 1 minute and 36500 days.")]
    public TimeSpan? JobMaxAge { get; set; }

    /// <summary>The same for failed jobs, whose logs people come back to; unset: <see cref="JobMaxAge"/>.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "36500.00:00:00", ErrorMessage = "JobLogs:Retention:FailedJobMaxAge must be between 1 minute and 36500 days.")]
    public TimeSpan? FailedJobMaxAge { get; set; }

    /// <summary>A project's job logs and assets together; past it the oldest finished jobs lose theirs. Unset: no limit.</summary>
    [Range(4096, long.MaxValue, ErrorMessage = "JobLogs:Retention:ProjectMaxBytes must be at least 4096.")]
    public long? ProjectMaxBytes { get; set; }

    /// <summary>How long a finished job in <paramref name="failed"/> state keeps its log and assets; null: no age limit.</summary>
    public TimeSpan? MaxAge(bool failed) => failed ? FailedJobMaxAge ?? JobMaxAge : JobMaxAge;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FailedJobMaxAge is { } failed && (JobMaxAge is not { } all || failed < all))
            yield return new ValidationResult(
                "JobLogs:Retention:FailedJobMaxAge must be at least JobLogs:Retention:JobMaxAge (set both): failed jobs are kept longer, not instead.",
                [nameof(FailedJobMaxAge)]);
    }
}
