using System.ComponentModel.DataAnnotations;

namespace JobLogs.Api.Workers;

/// <summary>When a worker counts as alive (section <c>JobLogs:Workers</c>).</summary>
internal sealed class WorkerRegistryOptions
{
    public const string Section = "JobLogs:Workers";

    /// <summary>A worker heard from within this window is alive; it polls every second and heartbeats each lease a few times.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "JobLogs:Workers:AliveWindow must be between 1 second and 1 hour.")]
    public TimeSpan AliveWindow { get; set; } = TimeSpan.FromSeconds(30);
}
