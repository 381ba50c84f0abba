using JobLogs.Events;
using JobLogs.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace JobLogs.Web.Pages.Projects;

/// <summary>A project's events as a timeline, newest first, a page at a time going back by offset ("Older").</summary>
public sealed class TimelineModel(ApiClient api) : PageModel
{
    public const int PageSize = 50;

    public string ProjectId { get; private set; } = "";
    public ProjectEventPage Events { get; private set; } = new(0, 0, 0, false, []);
    /// <summary>The address asked for a place that is not in the events (e.g. from before a cleanup): the newest are shown instead.</summary>
    public bool Moved { get; private set; }

    [BindProperty(SupportsGet = true)] public long? Before { get; set; }

    /// <summary>The entries newest first.</summary>
    public IEnumerable<ProjectEventItem> Newest => Events.Entries.Reverse();

    public async Task<IActionResult> OnGetAsync(string projectId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(projectId))
            return NotFound();
        ProjectId = projectId;
        var page = await api.EventsAsync(projectId, Before is >= 0 ? Before : null, PageSize, cancellationToken);
        if (page is null)
        {
            Moved = true;
            page = await api.EventsAsync(projectId, null, PageSize, cancellationToken);
        }
        Events = page ?? Events;
        return Page();
    }

    /// <summary>The colour of an event's dot: how a job ended, or what a person did.</summary>
    public static string Dot(string type) => type switch
    {
        ProjectEventTypes.JobSucceeded or ProjectEventTypes.AssetApproved => "succeeded",
        ProjectEventTypes.JobFailed => "failed",
        ProjectEventTypes.JobStarted => "running",
        ProjectEventTypes.JobCanceled => "canceled",
        ProjectEventTypes.ExportCreated => "ok",
        _ => "idle",
    };

    /// <summary>The event in words.</summary>
    public static string Title(string type) => type switch
    {
        ProjectEventTypes.JobCreated => "Job created",
        ProjectEventTypes.JobStarted => "Job started",
        ProjectEventTypes.JobSucceeded => "Job succeeded",
        ProjectEventTypes.JobFailed => "Job failed",
        ProjectEventTypes.JobCanceled => "Job canceled",
        ProjectEventTypes.AssetApproved => "Asset approved",
        ProjectEventTypes.ExportCreated => "Export created",
        _ => type,
    };
}
