using JobLogs.Health;
using JobLogs.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace JobLogs.Web.Pages;

/// <summary>Whether jobs get picked up (queue, workers, ComfyUI) and the services' own logs.</summary>
public sealed class SystemModel(ApiClient api) : PageModel
{
    public static readonly string[] Services = ["backend", "worker", "web"];

    public SystemStatus? Status { get; private set; }
    public string? Problem { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken) => await Load(cancellationToken);

    /// <summary>The health panels alone, for the page's live refresh.</summary>
    public async Task<IActionResult> OnGetHealthAsync(CancellationToken cancellationToken)
    {
        await Load(cancellationToken);
        return Partial("_SystemHealth", this);
    }

    private async Task Load(CancellationToken cancellationToken)
    {
        try
        {
            Status = await api.SystemStatusAsync(cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            // The page still shows the logs; the health panel says the Api is the problem.
            Problem = $"The Api did not answer: {ex.Message}";
        }
    }
}
