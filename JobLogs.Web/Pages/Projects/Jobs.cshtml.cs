using JobLogs.Jobs;
using JobLogs.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace JobLogs.Web.Pages.Projects;

/// <summary>A project's jobs: newest first, filtered by status and type, searched by job, spec or asset id, a page at a time.</summary>
public sealed class JobsModel(ApiClient api) : PageModel
{
    public const int PageSize = 50;
    public static readonly string[] Statuses = ["queued", "running", "failed", "succeeded", "canceled"];
    public static readonly string[] Types = [JobTypes.PythonTool, JobTypes.ComfyUIWorkflow];

    public string ProjectId { get; private set; } = "";
    public IReadOnlyList<string> Projects { get; private set; } = [];
    public JobPage Jobs { get; private set; } = new([], 0);

    [BindProperty(SupportsGet = true)] public string? Status { get; set; }
    [BindProperty(SupportsGet = true)] public string? Type { get; set; }
    [BindProperty(SupportsGet = true)] public string? Q { get; set; }
    [BindProperty(SupportsGet = true, Name = "p")] public int PageNumber { get; set; } = 1;

    public bool AnyActive => Jobs.Jobs.Any(j => !j.Status.IsFinished());
    public int Pages => Math.Max(1, (Jobs.Total + PageSize - 1) / PageSize);

    public async Task<IActionResult> OnGetAsync(string projectId, CancellationToken cancellationToken)
    {
        if (!await Load(projectId, cancellationToken))
            return NotFound();
        Projects = await api.ProjectsAsync(cancellationToken);
        if (!Projects.Contains(projectId))
            Projects = [projectId, .. Projects];
        return Page();
    }

    /// <summary>The table alone, for the page's live refresh (js/live-refresh.js).</summary>
    public async Task<IActionResult> OnGetRowsAsync(string projectId, CancellationToken cancellationToken) =>
        await Load(projectId, cancellationToken) ? Partial("_JobTable", this) : NotFound();

    /// <summary>This page's address with some of its filters changed (null removes one); a filter change goes back to page 1.</summary>
    public string Link(string? status = "", string? type = "", string? q = "", int? page = null)
    {
        var query = new Dictionary<string, string?>
        {
            ["status"] = status == "" ? Status : status,
            ["type"] = type == "" ? Type : type,
            ["q"] = q == "" ? Q : q,
            ["p"] = page is > 1 ? page.ToString() : null,
        };
        return QueryString.Create(query.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent() is { Length: > 0 } qs
            ? $"/projects/{ProjectId}{qs}" : $"/projects/{ProjectId}";
    }

    /// <summary>Where the live refresh gets this page's table.</summary>
    public string RowsLink => Link(page: PageNumber) is var link && link.Contains('?') ? link + "&handler=Rows" : link + "?handler=Rows";

    private async Task<bool> Load(string projectId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(projectId))
            return false;
        ProjectId = projectId;
        // Unknown values in the address are dropped rather than sent on: the page shows what it can.
        Status = Statuses.Contains(Status) ? Status : null;
        Type = Types.Contains(Type) ? Type : null;
        Q = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim()[..Math.Min(64, Q.Trim().Length)];
        PageNumber = Math.Max(1, PageNumber);
        var query = QueryString.Create(new Dictionary<string, string?>
        {
            ["status"] = Status, ["type"] = Type, ["q"] = Q,
            ["skip"] = ((PageNumber - 1) * PageSize).ToString(), ["take"] = PageSize.ToString(),
        }.Where(p => p.Value is not null));
        Jobs = await api.JobsAsync(projectId, query.ToUriComponent(), cancellationToken);
        return true;
    }
}
