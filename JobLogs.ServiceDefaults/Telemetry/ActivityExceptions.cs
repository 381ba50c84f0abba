using System.Diagnostics;
using JobLogs.ServiceDefaults.Redaction;

namespace JobLogs.ServiceDefaults.Telemetry;

public static class ActivityExceptions
{
    /// <summary>
    /// Records <paramref name="exception"/> on the span as OpenTelemetry's "exception" event and sets the span's error
    /// status — with its message and stack redacted first: an event cannot be rewritten once it is on the span.
    /// </summary>
    public static void RecordRedactedException(this Activity? activity, Exception exception, Redactor redactor)
    {
        if (activity is null)
            return;
        var message = redactor.Redact(exception.Message);
        activity.AddEvent(new ActivityEvent("exception", tags: new ActivityTagsCollection
        {
            ["exception.type"] = exception.GetType().FullName,
            ["exception.message"] = message,
            ["exception.stacktrace"] = redactor.Redact(exception.ToString()),
        }));
        activity.SetStatus(ActivityStatusCode.Error, message);
    }
}
