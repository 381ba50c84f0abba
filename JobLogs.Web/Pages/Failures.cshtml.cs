using JobLogs.Failures;
using JobLogs.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace JobLogs.Web.Pages;

/// <summary>Recent failures across all projects, grouped: "N jobs failed like this since T, first in job X".</summary>
public sealed class FailuresModel(ApiClient api, TimeProvider time) : PageModel
{
    public static readonly (string Key, string Label, TimeSpan Span)[] Windows =
        [("24h", "24 hours", TimeSpan.FromHours(24)), ("7d", "7 days", TimeSpan.FromDays(7)), ("30d", "30 days", TimeSpan.FromDays(30))];

    public FailureGroupsPage Failures { get; private set; } = new(DateTimeOffset.UtcNow, 0, []);
    public IReadOnlyList<string> Projects { get; private set; } = [];

    [BindProperty(SupportsGet = true)] public string? Window { get; set; }
    [BindProperty(SupportsGet = true)] public string? ProjectId { get; set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var window = Windows.FirstOrDefault(w => w.Key == Window);
        if (window.Key is null)
            window = Windows[1];
        Window = window.Key;
        ProjectId = Ids.IsValid(ProjectId) ? ProjectId : null;
        Projects = await api.ProjectsAsync(cancellationToken);
        var query = QueryString.Create(new Dictionary<string, string?>
        {
            ["since"] = (time.GetUtcNow() - window.Span).ToString("O"), ["projectId"] = ProjectId, ["take"] = "100",
        }.Where(p => p.Value is not null));
        Failures = await api.FailuresAsync(query.ToUriComponent(), cancellationToken);
    }

    public string Link(string? window = null, string? projectId = "") =>
        "/failures" + QueryString.Create(new Dictionary<string, string?>
        {
            ["window"] = window ?? Window, ["projectId"] = projectId == "" ? ProjectId : projectId,
        }.Where(p => !string.IsNullOrEmpty(p.Value))).ToUriComponent();
}
