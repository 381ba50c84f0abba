using JobLogs.Jobs;
using JobLogs.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace JobLogs.Web.Pages.Projects;

public sealed class JobsModel(ApiClient api) : PageModel
{
    public string ProjectId { get; private set; } = "";
    public IReadOnlyList<string> Projects { get; private set; } = [];
    public JobPage Jobs { get; private set; } = new([], 0);

    public async Task<IActionResult> OnGetAsync(string projectId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(projectId))
            return NotFound();
        ProjectId = projectId;
        Projects = await api.ProjectsAsync(cancellationToken);
        if (!Projects.Contains(projectId))
            Projects = [projectId, .. Projects];
        Jobs = await api.JobsAsync(projectId, "?take=200", cancellationToken);
        return Page();
    }
}
