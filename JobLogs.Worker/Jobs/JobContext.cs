using System.Diagnostics;
using JobLogs.Jobs;
using JobLogs.Workers;

namespace JobLogs.Worker.Jobs;

/// <summary>
/// One attempt of a job as its runner sees it. <see cref="Stage"/> and <see cref="Where"/> say where the run is, so a
/// failure the runner did not foresee (a deadline, a cancel, a crash) is still reported at the right place.
/// </summary>
internal sealed class JobContext(Claim claim, Action<string>? enteredStage = null)
{
    private string _stage = "start";
    private Activity? _stageSpan;

    public Job Job => claim.Job;
    public int Attempt => claim.Attempt;
    public string Traceparent => claim.Traceparent;

    /// <summary>The lease the attempt's uploads carry: the Api stores outputs only for the attempt holding the job.</summary>
    public string LeaseToken => claim.LeaseToken;

    /// <summary>
    /// The step the run is in (tool, submit, execute, download ...); an unexpected failure is reported here. Entering a
    /// stage ends the previous stage's span and starts the new one, so each stage is a span of the attempt's trace; the
    /// attempt's spool records it, so a worker that restarts after a crash can say where the run was.
    /// </summary>
    public string Stage
    {
        get => _stage;
        set
        {
            if (value == _stage)
                return;
            _stage = value;
            enteredStage?.Invoke(value);
            _stageSpan?.Stop();
            _stageSpan = JobTelemetry.StartStage(value);
        }
    }

    /// <summary>The current stage's span (null before the first stage, or when nobody listens).</summary>
    public Activity? StageSpan => _stageSpan;

    /// <summary>Ends the last stage's span when the run is over.</summary>
    public void EndStage()
    {
        _stageSpan?.Stop();
        _stageSpan = null;
    }

    /// <summary>Where in that step: a tool's file, a ComfyUI node, an endpoint.</summary>
    public string? Where { get; set; }

    /// <summary>The ComfyUI prompt this attempt submitted, once it has one.</summary>
    public string? PromptId { get; set; }
}
