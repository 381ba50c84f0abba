using JobLogs.Jobs;
using JobLogs.Workers;

namespace JobLogs.Worker.Jobs;

/// <summary>One attempt of a job as its runner sees it. <see cref="Stage"/> says where a failure happened.</summary>
internal sealed class JobContext(Claim claim)
{
    public Job Job => claim.Job;
    public int Attempt => claim.Attempt;
    public string Traceparent => claim.Traceparent;

    /// <summary>The step the run is in (tool, submit, execute, download ...); an unexpected failure is reported here.</summary>
    public string Stage { get; set; } = "start";
}
