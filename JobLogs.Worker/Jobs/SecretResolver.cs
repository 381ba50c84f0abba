using System.Buffers;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Redaction;
using JobLogs.Worker.Failures;

namespace JobLogs.Worker.Jobs;

/// <summary>
/// Resolves the secrets a job input refers to, <c>{"$secret": "NAME"}</c>, from this worker's configuration
/// (<c>JobLogs:Secrets:NAME</c>), just before the input is handed to what runs the job (a tool's stdin, a ComfyUI
/// workflow). The resolved input is never logged nor stored: the job log gets the names only. Every runner resolves
/// through this one class.
/// </summary>
internal sealed partial class SecretResolver(IConfiguration configuration, Redactor redactor, ILogger<SecretResolver> logger)
{
    /// <summary>
    /// <paramref name="input"/> with each reference replaced by its value (the same element when it has none). A name
    /// the configuration does not have fails the job with a card that names it and where it is (<paramref name="path"/>
    /// is where <paramref name="input"/> sits in the job's input).
    /// </summary>
    public JsonElement Resolve(JsonElement input, string path = "input")
    {
        if (!HasReference(input))
            return input;
        var resolved = new SortedSet<string>(StringComparer.Ordinal);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
            Write(writer, input, path, resolved);
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        LogResolved(logger, string.Join(", ", resolved));
        return document.RootElement.Clone();
    }

    private void Write(Utf8JsonWriter writer, JsonElement element, string path, ISet<string> resolved)
    {
        if (SecretReference.TryRead(element, out var name))
        {
            var value = configuration[$"{SecretReference.ConfigurationSection}:{name}"];
            if (string.IsNullOrEmpty(value))
                throw new JobFailedException(new FailureCard
                {
                    Message = $"The job refers to the secret {name} at {path}, and this worker's configuration does not have it.",
                    Type = FailureTypes.SecretMissing, Component = "worker", Stage = "secrets", Where = path,
                });
            if (resolved.Add(name) && value.Length < redactor.Settings.MinSecretLength)
                LogTooShort(logger, name, redactor.Settings.MinSecretLength);
            writer.WriteStringValue(value);
            return;
        }
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject())
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, $"{path}.{property.Name}", resolved);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    Write(writer, item, $"{path}[{i++}]", resolved);
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static bool HasReference(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => SecretReference.TryRead(element, out _) || element.EnumerateObject().Any(p => HasReference(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Any(HasReference),
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Resolved the secrets {Names} from the worker's configuration")]
    private static partial void LogResolved(ILogger logger, string names);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The secret {Name} is shorter than {MinLength} characters, too short for redaction to find in free text: if the job prints it, it shows. Use a longer secret")]
    private static partial void LogTooShort(ILogger logger, string name, int minLength);
}
