using JobLogs.Jobs;
using JobLogs.Workers;

namespace JobLogs.Worker.Jobs;

/// <summary>
/// One attempt of a job as its runner sees it. <see cref="Stage"/> and <see cref="Where"/> say where the run is, so a
/// failure the runner did not foresee (a deadline, a cancel, a crash) is still reported at the right place.
/// </summary>
internal sealed class JobContext(Claim claim)
{
    public Job Job => claim.Job;
    public int Attempt => claim.Attempt;
    public string Traceparent => claim.Traceparent;

    /// <summary>The step the run is in (tool, submit, execute, download ...).</summary>
    public string Stage { get; set; } = "start";

    /// <summary>Where in that step: a tool's file, a ComfyUI node, an endpoint.</summary>
    public string? Where { get; set; }

    /// <summary>The ComfyUI prompt this attempt submitted, once it has one.</summary>
    public string? PromptId { get; set; }
}
