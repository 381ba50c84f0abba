namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// Stands in for an exception whose message or stack held a secret: sinks see only the redacted text,
/// and the original type's name.
/// </summary>
public sealed class RedactedException(string originalType, string message, string text) : Exception(message)
{
    public string OriginalType { get; } = originalType;
    public override string? StackTrace => null;
    public override string ToString() => text;
}
