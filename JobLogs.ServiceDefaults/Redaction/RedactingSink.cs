using System.Runtime.CompilerServices;
using JobLogs.ServiceDefaults.Logging;
using Serilog.Core;
using Serilog.Events;
using Serilog.Parsing;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// Sits in front of every sink (job JSONL, runtime JSONL, OTLP): builds the redacted event once — message template
/// text, property values (by their text, by their name, and by the template text before them: "Bearer {Value}"),
/// exception — and hands only that to the sinks. An enricher could not do this: it cannot rewrite the template or
/// the exception, and the OTLP sink reads the event directly. A clean event passes as it is, without allocating.
/// </summary>
internal sealed class RedactingSink(Redactor redactor, JobLogTally tally, ILogEventSink inner) : ILogEventSink, IDisposable
{
    /// <summary>What a template needs once per call site: its redacted form, and which properties its text makes secret.</summary>
    private sealed record TemplateInfo(MessageTemplate Template, IReadOnlyDictionary<string, string>? SecretByContext);

    // Templates are parsed once per call site and cached by Serilog, so what redaction learns about them is cached too
    // (per sink: what is clean depends on this redactor's configured secrets).
    private readonly ConditionalWeakTable<MessageTemplate, TemplateInfo> _templates = new();

    public void Emit(LogEvent e)
    {
        PipelineMetrics.Entry(e.Level);
        RedactionCounts? counts = null;
        var template = Template(e.MessageTemplate, ref counts);

        Dictionary<string, LogEventPropertyValue>? properties = null;
        // The concrete dictionary enumerates without allocating; any other shape is enumerated the general way.
        if (e.Properties is Dictionary<string, LogEventPropertyValue> dictionary)
        {
            foreach (var (name, value) in dictionary)
                RedactProperty(e, template, name, value, ref properties, ref counts);
        }
        else
        {
            foreach (var (name, value) in e.Properties)
                RedactProperty(e, template, name, value, ref properties, ref counts);
        }
        var exception = e.Exception is { } ex ? RedactException(ex, ref counts) : null;

        if (counts is not null && JobKey.From(e) is { } job)
            tally.AddRedactions(job, counts);

        var redacted = ReferenceEquals(template.Template, e.MessageTemplate) && properties is null && ReferenceEquals(exception, e.Exception)
            ? e
            : new LogEvent(e.Timestamp, e.Level, exception, template.Template,
                (properties ?? e.Properties).Select(p => new LogEventProperty(p.Key, p.Value)), e.TraceId ?? default, e.SpanId ?? default);
        inner.Emit(redacted);
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();

    private void RedactProperty(LogEvent e, TemplateInfo template, string name, LogEventPropertyValue value,
        ref Dictionary<string, LogEventPropertyValue>? properties, ref RedactionCounts? counts)
    {
        // The logger's category: a type name from the code, never data. The job's project and job ids: names that
        // route the entry (to its job's log, by path), checked letter by letter — rewriting one would lose the entry.
        if (name == LogProperties.SourceContext || IsId(name, value))
            return;
        var redacted = template.SecretByContext?.GetValueOrDefault(name) is { } rule && IsMaskable(value)
            ? Masked(rule, ref counts)
            : Redact(name, value, inheritedSecret: false, ref counts);
        if (!ReferenceEquals(redacted, value))
            (properties ??= new Dictionary<string, LogEventPropertyValue>(e.Properties))[name] = redacted;
    }

    private static bool IsId(string name, LogEventPropertyValue value) =>
        name is LogProperties.ProjectId or LogProperties.JobId && value is ScalarValue { Value: string id } && Ids.IsValid(id);

    private TemplateInfo Template(MessageTemplate template, ref RedactionCounts? counts)
    {
        if (_templates.TryGetValue(template, out var cached))
            return cached;
        var tokens = template.Tokens as IReadOnlyList<MessageTemplateToken> ?? [.. template.Tokens];
        List<MessageTemplateToken>? redactedTokens = null;
        Dictionary<string, string>? secretByContext = null;
        for (var i = 0; i < tokens.Count; i++)
        {
            if (tokens[i] is TextToken text)
            {
                var redacted = redactor.Redact(text.Text, ref counts);
                if (!ReferenceEquals(redacted, text.Text))
                    (redactedTokens ??= [.. tokens])[i] = new TextToken(redacted);
            }
            else if (tokens[i] is PropertyToken property && i > 0 && tokens[i - 1] is TextToken before
                && PatternRules.SecretContext(before.Text) is { } rule)
                (secretByContext ??= new(StringComparer.Ordinal))[property.PropertyName] = rule;
        }
        var info = new TemplateInfo(redactedTokens is null ? template : new MessageTemplate(redactedTokens), secretByContext);
        // A template whose text held a secret was built from dynamic text: each occurrence is counted, so it is not cached.
        if (redactedTokens is null)
            _templates.AddOrUpdate(template, info);
        return info;
    }

    private LogEventPropertyValue Redact(string name, LogEventPropertyValue value, bool inheritedSecret, ref RedactionCounts? counts)
    {
        var secret = inheritedSecret || SecretKeys.IsSecret(name);
        switch (value)
        {
            case ScalarValue { Value: string s }:
                if (secret && !SecretKeys.IsPlaceholder(s))
                    return Masked(RuleIds.SecretKey, ref counts);
                var redacted = redactor.Redact(s, ref counts);
                return ReferenceEquals(redacted, s) ? value : new ScalarValue(redacted);
            case ScalarValue { Value: null or bool }:
                return value;
            case ScalarValue scalar when secret:
                return Masked(RuleIds.SecretKey, ref counts);
            case ScalarValue { Value: var other } when !IsPlainValue(other):
                // A Uri or any object captured by its ToString(): its text is what the sinks write.
                var text = other.ToString() ?? "";
                var redactedText = redactor.Redact(text, ref counts);
                return ReferenceEquals(redactedText, text) ? value : new ScalarValue(redactedText);
            case SequenceValue sequence:
                LogEventPropertyValue[]? elements = null;
                for (var i = 0; i < sequence.Elements.Count; i++)
                {
                    var element = Redact(name, sequence.Elements[i], secret, ref counts);
                    if (!ReferenceEquals(element, sequence.Elements[i]))
                        (elements ??= [.. sequence.Elements])[i] = element;
                }
                return elements is null ? value : new SequenceValue(elements);
            case StructureValue structure:
                LogEventProperty[]? properties = null;
                for (var i = 0; i < structure.Properties.Count; i++)
                {
                    var property = structure.Properties[i];
                    var redactedValue = Redact(property.Name, property.Value, secret, ref counts);
                    if (!ReferenceEquals(redactedValue, property.Value))
                        (properties ??= [.. structure.Properties])[i] = new LogEventProperty(property.Name, redactedValue);
                }
                return properties is null ? value : new StructureValue(properties, structure.TypeTag);
            case DictionaryValue dictionary:
                KeyValuePair<ScalarValue, LogEventPropertyValue>[]? pairs = null;
                var index = 0;
                if (dictionary.Elements is Dictionary<ScalarValue, LogEventPropertyValue> concrete)
                {
                    foreach (var pair in concrete)
                        RedactPair(dictionary, pair, index++, secret, ref pairs, ref counts);
                }
                else
                    foreach (var pair in dictionary.Elements)
                        RedactPair(dictionary, pair, index++, secret, ref pairs, ref counts);
                return pairs is null ? value : new DictionaryValue(pairs);
            default:
                return value;
        }
    }

    private void RedactPair(DictionaryValue dictionary, KeyValuePair<ScalarValue, LogEventPropertyValue> pair, int index, bool secret,
        ref KeyValuePair<ScalarValue, LogEventPropertyValue>[]? pairs, ref RedactionCounts? counts)
    {
        var (key, element) = pair;
        var keyText = key.Value as string ?? key.Value?.ToString() ?? "";
        var redactedKey = redactor.Redact(keyText, ref counts);
        var redactedElement = Redact(keyText, element, secret, ref counts);
        if (!ReferenceEquals(redactedKey, keyText) || !ReferenceEquals(redactedElement, element))
            (pairs ??= [.. dictionary.Elements])[index] = new(ReferenceEquals(redactedKey, keyText) ? key : new ScalarValue(redactedKey), redactedElement);
    }

    private static ScalarValue Masked(string rule, ref RedactionCounts? counts)
    {
        Redactor.Masked(rule, ref counts);
        return new ScalarValue(Redactor.Mask);
    }

    // Numbers, times, ids and flags cannot hold a secret's text; strings and objects rendered by ToString() can.
    private static bool IsPlainValue(object value) =>
        value is bool or char or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal
            or DateTime or DateTimeOffset or TimeSpan or DateOnly or TimeOnly or Guid or Enum or Int128 or UInt128;

    private static bool IsMaskable(LogEventPropertyValue value) =>
        value is ScalarValue { Value: not null and not bool } scalar && (scalar.Value is string || !IsPlainValue(scalar.Value))
        || value is SequenceValue or StructureValue or DictionaryValue;

    private Exception RedactException(Exception exception, ref RedactionCounts? counts)
    {
        var text = exception.ToString();
        var redactedText = redactor.Redact(text, ref counts);
        if (ReferenceEquals(redactedText, text))
            return exception;
        // The message is part of the text already counted: redact it again without counting it twice.
        RedactionCounts? again = null;
        return new RedactedException(exception.GetType().FullName ?? exception.GetType().Name,
            redactor.Redact(exception.Message, ref again, recordMetrics: false), redactedText);
    }
}
