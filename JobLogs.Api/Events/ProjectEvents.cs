using System.Text.Json;
using JobLogs.Events;
using JobLogs.Api.Store;
using JobLogs.ServiceDefaults.Redaction;

namespace JobLogs.Api.Events;

/// <summary>
/// Appends to a project's events (DESIGN.md, Data layout; <see cref="LogName.Events"/> in the log store). The Api is
/// their only writer; each event is redacted, checked against schemas/project-event.schema.json and stored as one line.
/// </summary>
internal sealed partial class ProjectEvents(ILogStore logs, Redactor redactor, ILogger<ProjectEvents> logger)
{
    /// <summary>
    /// Appends <paramref name="projectEvent"/> and returns it as written (redacted) with the offset of its line; null when it could not be written
    /// (the cause is in the service log). A job's record stays its source of truth: an event that is not written never
    /// undoes the change it tells of.
    /// </summary>
    public ProjectEventItem? Append(ProjectEvent projectEvent)
    {
        var written = Redacted(projectEvent);
        var line = Line(written);
        using (var document = JsonDocument.Parse(line.AsMemory(0, line.Length - 1)))
        {
            if (Schemas.Problems(Schemas.ProjectEvent, document.RootElement) is { Count: > 0 } problems)
            {
                LogInvalid(logger, projectEvent.Type, projectEvent.ProjectId, string.Join("; ", problems));
                return null;
            }
        }
        try
        {
            return new ProjectEventItem(logs.Append(LogName.Events(projectEvent.ProjectId), line), written);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogUnwritable(logger, projectEvent.Type, projectEvent.ProjectId, ex.Message);
            return null;
        }
    }

    private static byte[] Line(ProjectEvent projectEvent)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(projectEvent, Json.Options);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    // What people typed (a note, a name) and what a failure said are shown on the timeline: no secret reaches it.
    private ProjectEvent Redacted(ProjectEvent projectEvent) => projectEvent.Data is not { } data ? projectEvent : projectEvent with
    {
        Data = data with { Summary = Redact(data.Summary), By = Redact(data.By), Note = Redact(data.Note) },
    };

    private string? Redact(string? text) => text is null ? null : redactor.Redact(text);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused to write the invalid {EventType} event of project {ProjectId}: {Problems}")]
    private static partial void LogInvalid(ILogger logger, string eventType, string projectId, string problems);

    [LoggerMessage(Level = LogLevel.Error, Message = "The {EventType} event could not be appended to the events of project {ProjectId}: {Problem}")]
    private static partial void LogUnwritable(ILogger logger, string eventType, string projectId, string problem);
}
