using System.ComponentModel.DataAnnotations;

namespace JobLogs.Api.Workers;

/// <summary>How long a claim lasts without a heartbeat, and what happens to an attempt whose worker went quiet (section <c>JobLogs:Leases</c>).</summary>
internal sealed class LeaseOptions
{
    public const string Section = "JobLogs:Leases";

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "JobLogs:Leases:Duration must be between 1 second and 1 hour.")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The Api acts on an expired lease only after this much more, so a worker always stops first.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ErrorMessage = "JobLogs:Leases:Grace must be between 0 and 1 hour.")]
    public TimeSpan Grace { get; set; } = TimeSpan.FromSeconds(10);

    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ErrorMessage = "JobLogs:Leases:SweepInterval must be between 50 ms and 10 minutes.")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Re-queue an attempt whose worker was lost instead of failing the job.</summary>
    public bool RequeueLost { get; set; }
}
