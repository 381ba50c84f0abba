using JobLogs.Jobs;
using JobLogs.Web.Api;
using JobLogs.Web.Jobs;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace JobLogs.Web.Pages.Projects;

/// <summary>One job: its failure card first, then what went in and came out, then its log.</summary>
public sealed class JobModel(ApiClient api, IOptions<WebOptions> options) : PageModel
{
    public Job? Job { get; private set; }
    public JobIo? Input { get; private set; }
    public JobIo? Output { get; private set; }

    public string? DashboardUrl => options.Value.DashboardUrl?.TrimEnd('/');

    /// <summary>The Aspire dashboard's page of a trace (its traces/detail/{traceId} route).</summary>
    public string? TraceUrl(string? traceId) =>
        DashboardUrl is { } dashboard && traceId is not null ? $"{dashboard}/traces/detail/{Uri.EscapeDataString(traceId)}" : null;

    public string? CurrentTraceUrl => TraceUrl(Job?.Attempts.LastOrDefault()?.TraceId);

    public async Task<IActionResult> OnGetAsync(string projectId, string jobId, CancellationToken cancellationToken) =>
        await Load(projectId, jobId, cancellationToken) ? Page() : NotFound();

    /// <summary>The card, facts, input and output alone: the page refreshes them while the job runs (js/job-page.js).</summary>
    public async Task<IActionResult> OnGetSummaryAsync(string projectId, string jobId, CancellationToken cancellationToken) =>
        await Load(projectId, jobId, cancellationToken) ? Partial("_JobSummary", this) : NotFound();

    private async Task<bool> Load(string projectId, string jobId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(projectId) || !Ids.IsValid(jobId) || await api.JobAsync(projectId, jobId, cancellationToken) is not { } job)
            return false;
        Job = job;
        Input = JobIo.Of(job, job.Input);
        Output = job.Output is { } output ? JobIo.Of(job, output) : null;
        return true;
    }
}
