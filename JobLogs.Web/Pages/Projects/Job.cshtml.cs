using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Web.Api;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace JobLogs.Web.Pages.Projects;

public sealed class JobModel(ApiClient api) : PageModel
{
    private static readonly JsonSerializerOptions Indented = new(Json.Options) { WriteIndented = true };
    private const int MaxShown = 4000;

    public Job? Job { get; private set; }
    public string InputText { get; private set; } = "";
    public string? OutputText { get; private set; }

    public async Task<IActionResult> OnGetAsync(string projectId, string jobId, CancellationToken cancellationToken)
    {
        if (!Ids.IsValid(projectId) || !Ids.IsValid(jobId) || await api.JobAsync(projectId, jobId, cancellationToken) is not { } job)
            return NotFound();
        Job = job;
        InputText = Shown(job.Input);
        OutputText = job.Output is { } output ? Shown(output) : null;
        return Page();
    }

    // A summary, not a dump: long inputs are cut so the page stays readable.
    private static string Shown(JsonElement value)
    {
        var text = JsonSerializer.Serialize(value, Indented);
        return text.Length <= MaxShown ? text : text[..MaxShown] + $"\n… ({text.Length - MaxShown} more characters)";
    }
}
