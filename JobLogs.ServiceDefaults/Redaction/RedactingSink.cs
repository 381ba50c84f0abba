using System.Runtime.CompilerServices;
using JobLogs.ServiceDefaults.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// Sits in front of every sink (job JSONL, runtime JSONL, OTLP): builds the redacted event once — message
/// template text, property values, exception — and hands only that to the sinks. An enricher could not do
/// this: it cannot rewrite the template or the exception, and the OTLP sink reads the event directly.
/// </summary>
internal sealed class RedactingSink(Redactor redactor, JobLogTally tally, ILogEventSink inner) : ILogEventSink, IDisposable
{
    // Templates are parsed once per call site and cached by Serilog, so their redacted form is cached too.
    private static readonly ConditionalWeakTable<MessageTemplate, MessageTemplate> Templates = new();

    public void Emit(LogEvent e)
    {
        var counts = new RedactionCounts();
        var template = RedactTemplate(e.MessageTemplate, counts);
        Dictionary<string, LogEventPropertyValue>? properties = null;
        foreach (var (name, value) in e.Properties)
        {
            var redacted = RedactValue(name, value, counts);
            if (!ReferenceEquals(redacted, value))
                (properties ??= new(e.Properties))[name] = redacted;
        }
        var exception = e.Exception is { } ex ? RedactException(ex, counts) : null;

        if (!counts.IsEmpty && JobKey.From(e) is { } job)
            tally.AddRedactions(job, counts);

        var redactedEvent = ReferenceEquals(template, e.MessageTemplate) && properties is null && ReferenceEquals(exception, e.Exception)
            ? e
            : new LogEvent(e.Timestamp, e.Level, exception, template,
                (properties ?? e.Properties).Select(p => new LogEventProperty(p.Key, p.Value)), e.TraceId ?? default, e.SpanId ?? default);
        inner.Emit(redactedEvent);
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private MessageTemplate RedactTemplate(MessageTemplate template, RedactionCounts counts)
    {
        if (Templates.TryGetValue(template, out var cached))
            return cached;
        var changed = false;
        var tokens = template.Tokens.Select(token =>
        {
            if (token is not TextToken text)
                return token;
            var redacted = redactor.Redact(text.Text, counts);
            if (ReferenceEquals(redacted, text.Text))
                return token;
            changed = true;
            return new TextToken(redacted);
        }).ToList();
        var result = changed ? new MessageTemplate(tokens) : template;
        // Only clean templates are cached: a template that held a secret was built from dynamic text and
        // each occurrence must be counted.
        if (!changed)
            Templates.AddOrUpdate(template, template);
        return result;
    }

    private LogEventPropertyValue RedactValue(string name, LogEventPropertyValue value, RedactionCounts counts)
    {
        switch (value)
        {
            case ScalarValue { Value: string s }:
                var redacted = redactor.RedactValue(name, s, counts);
                return ReferenceEquals(redacted, s) ? value : new ScalarValue(redacted);
            case ScalarValue scalar when SecretKeys.IsSecret(name) && scalar.Value is not null and not bool:
                counts.Add("secret-key", 1);
                return new ScalarValue(Redactor.Mask);
            case SequenceValue sequence:
                var elements = sequence.Elements.Select(v => RedactValue(name, v, counts)).ToList();
                return elements.Zip(sequence.Elements).All(p => ReferenceEquals(p.First, p.Second)) ? value : new SequenceValue(elements);
            case StructureValue structure:
                var props = structure.Properties.Select(p => new LogEventProperty(p.Name, RedactValue(p.Name, p.Value, counts))).ToList();
                return props.Zip(structure.Properties).All(p => ReferenceEquals(p.First.Value, p.Second.Value)) ? value : new StructureValue(props, structure.TypeTag);
            case DictionaryValue dictionary:
                var pairs = dictionary.Elements.Select(p => new KeyValuePair<ScalarValue, LogEventPropertyValue>(
                    p.Key, RedactValue(p.Key.Value?.ToString() ?? "", p.Value, counts))).ToList();
                return pairs.Zip(dictionary.Elements).All(p => ReferenceEquals(p.First.Value, p.Second.Value)) ? value : new DictionaryValue(pairs);
            default:
                return value;
        }
    }

    private Exception RedactException(Exception exception, RedactionCounts counts)
    {
        var message = redactor.Redact(exception.Message, counts);
        var text = exception.ToString();
        var redactedText = redactor.Redact(text, counts);
        return ReferenceEquals(message, exception.Message) && ReferenceEquals(text, redactedText)
            ? exception
            : new RedactedException(exception.GetType().FullName ?? exception.GetType().Name, message, redactedText);
    }
}
