using JobLogs.Web.Api;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace JobLogs.Web.Pages;

public sealed class IndexModel(ApiClient api) : PageModel
{
    public IReadOnlyList<string> Projects { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken) => Projects = await api.ProjectsAsync(cancellationToken);
}
