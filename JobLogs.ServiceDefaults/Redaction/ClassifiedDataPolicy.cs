using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.Compliance.Classification;
using Microsoft.Extensions.Compliance.Redaction;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using ComplianceRedactor = Microsoft.Extensions.Compliance.Redaction.Redactor;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// Logs objects of our own types by their data classification (Microsoft.Extensions.Compliance): a property marked
/// <see cref="SecretDataAttribute"/> (a lease token, a resolved secret) is written through the redactor registered for
/// its class, whatever the property is called. Types without classified properties are left to Serilog.
/// </summary>
internal sealed class ClassifiedDataPolicy(IRedactorProvider redactors) : IDestructuringPolicy
{
    private sealed record Member(PropertyInfo Property, DataClassification? Classification);

    private static readonly ConcurrentDictionary<Type, Member[]?> Members = new();

    public bool TryDestructure(object value, ILogEventPropertyValueFactory propertyValueFactory, [NotNullWhen(true)] out LogEventPropertyValue? result)
    {
        result = null;
        if (Members.GetOrAdd(value.GetType(), Inspect) is not { } members)
            return false;
        var properties = new List<LogEventProperty>(members.Length);
        foreach (var member in members)
        {
            object? memberValue;
            try
            {
                memberValue = member.Property.GetValue(value);
            }
            catch (TargetInvocationException ex)
            {
                memberValue = $"The property threw {ex.InnerException?.GetType().Name}";
            }
            properties.Add(new LogEventProperty(member.Property.Name, member.Classification is { } classification
                ? new ScalarValue(memberValue is null ? null : redactors.GetRedactor(classification).Redact(memberValue.ToString()))
                : propertyValueFactory.CreatePropertyValue(memberValue, destructureObjects: true)));
        }
        result = new StructureValue(properties, value.GetType().Name);
        return true;
    }

    private static Member[]? Inspect(Type type)
    {
        var members = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Select(p => new Member(p, p.GetCustomAttributes<DataClassificationAttribute>(inherit: true)
                .Select(a => (DataClassification?)a.Classification)
                .FirstOrDefault(c => c != DataClassification.None)))
            .ToArray();
        return members.Any(m => m.Classification is not null) ? members : null;
    }
}

/// <summary>Writes every classified value as <see cref="Redactor.Mask"/>: its length would say too much already.</summary>
internal sealed class MaskingRedactor : ComplianceRedactor
{
    public override int GetRedactedLength(ReadOnlySpan<char> input) => Redactor.Mask.Length;

    public override int Redact(ReadOnlySpan<char> source, Span<char> destination)
    {
        Redactor.Mask.CopyTo(destination);
        return Redactor.Mask.Length;
    }
}

internal static class ClassifiedDataRedaction
{
    /// <summary>Registers the redactor per data class (secrets are masked; so is any class not named here) and the logging policy.</summary>
    public static IServiceCollection AddClassifiedDataRedaction(this IServiceCollection services)
    {
        services.AddRedaction(redaction => redaction
            .SetRedactor<MaskingRedactor>(new DataClassificationSet(JobLogsData.Secret))
            .SetFallbackRedactor<MaskingRedactor>());
        services.AddSingleton<ClassifiedDataPolicy>();
        return services;
    }
}
