using System.Diagnostics;
using OpenTelemetry;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// Redacts what a span carries before any exporter sees it: its name, its string tags (by their text and by their
/// name: <c>http.request.header.authorization</c>) and its status description. Registered before the exporters.
/// Events cannot be rewritten once they are on a span, so exceptions are recorded through
/// <see cref="Telemetry.ActivityExceptions.RecordRedactedException"/>, and instrumentations keep RecordException off.
/// </summary>
internal sealed class RedactingActivityProcessor(Redactor redactor) : BaseProcessor<Activity>
{
    public override void OnEnd(Activity activity)
    {
        var name = redactor.Redact(activity.DisplayName);
        if (!ReferenceEquals(name, activity.DisplayName))
            activity.DisplayName = name;

        List<KeyValuePair<string, object?>>? changed = null;
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
            if (Redact(tag.Key, tag.Value) is var value && !ReferenceEquals(value, tag.Value))
                (changed ??= []).Add(new(tag.Key, value));
        foreach (var (key, value) in changed ?? [])
            activity.SetTag(key, value);

        if (activity.StatusDescription is { } description && redactor.Redact(description) is var redacted && !ReferenceEquals(redacted, description))
            activity.SetStatus(activity.Status, redacted);
    }

    private object? Redact(string key, object? value) => value switch
    {
        string text => redactor.RedactValue(key, text),
        string[] texts when texts.Select(t => redactor.RedactValue(key, t)).ToArray() is var redacted && !redacted.SequenceEqual(texts, ReferenceEqualityComparer.Instance) => redacted,
        _ => value,
    };
}
