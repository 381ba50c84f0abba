using System.Text;
using JobLogs.Jobs;

namespace JobLogs.Web.Jobs;

/// <summary>A failure card as Markdown, to paste into a chat or a ticket; the page adds its address and the last log lines.</summary>
public static class FailureMarkdown
{
    public static string Of(Job job, FailureCard card, string? traceUrl)
    {
        var ids = card.Ids;
        var which = new List<string> { $"project `{job.ProjectId}`", $"job `{job.Id}`", $"attempt {ids?.Attempt ?? job.Attempt}" };
        if ((ids?.SpecId ?? job.SpecId) is { } spec) which.Add($"spec `{spec}`");
        if ((ids?.AssetId ?? job.AssetId) is { } asset) which.Add($"asset `{asset}`");
        if (ids?.PromptId is { } prompt) which.Add($"prompt `{prompt}`");

        var md = new StringBuilder();
        md.Append("**Job `").Append(job.Id).Append("` ").Append(job.Status.Wire()).Append(":** ").AppendLine(OneLine(card.Message));
        md.AppendLine();
        md.Append("- **What:** `").Append(card.Type).Append("` — ").AppendLine(OneLine(card.Message));
        md.Append("- **Where:** ").Append(card.Component).Append(" › ").Append(card.Stage);
        if (card.Where is not null) md.Append(" › `").Append(card.Where).Append('`');
        md.AppendLine();
        md.Append("- **Which:** ").AppendLine(string.Join(" · ", which));
        if (card.Hint is not null)
        {
            md.Append("- **Next:** ").Append(OneLine(card.Hint));
            if (card.Rule is not null) md.Append(" _(rule `").Append(card.Rule).Append("`)_");
            md.AppendLine();
        }
        if (traceUrl is not null)
            md.Append("- **Trace:** ").AppendLine(traceUrl);
        return md.ToString();
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
