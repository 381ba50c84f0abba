using System.Diagnostics;
using OpenTelemetry;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>Redacts span names, string tags and event tags before any exporter sees them.</summary>
internal sealed class RedactingActivityProcessor(Redactor redactor) : BaseProcessor<Activity>
{
    public override void OnEnd(Activity activity)
    {
        activity.DisplayName = redactor.Redact(activity.DisplayName);
        foreach (var (key, value) in activity.TagObjects.ToList())
            if (value is string text && redactor.RedactValue(key, text) is var redacted && !ReferenceEquals(redacted, text))
                activity.SetTag(key, redacted);
        if (activity.StatusDescription is { } description)
            activity.SetStatus(activity.Status, redactor.Redact(description));
    }
}
