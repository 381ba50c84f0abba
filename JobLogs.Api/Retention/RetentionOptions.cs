using System.ComponentModel.DataAnnotations;

namespace JobLogs.Api.Retention;

/// <summary>What the cleanup keeps (section <c>JobLogs:Retention</c>). Queued and running jobs are never touched.</summary>
internal sealed class RetentionOptions
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
}
