using Microsoft.Extensions.Compliance.Classification;

namespace JobLogs;

/// <summary>
/// The data classes of JobLogs' own types (Microsoft.Extensions.Compliance): a property classified <see cref="Secret"/>
/// is written masked wherever the object is logged, whatever the property is called.
/// </summary>
public static class JobLogsData
{
    public const string Taxonomy = "JobLogs";

    /// <summary>Credentials and tokens: lease tokens, resolved secrets, API keys.</summary>
    public static DataClassification Secret { get; } = new(Taxonomy, nameof(Secret));
}

/// <summary>Marks a property whose value is a secret (<see cref="JobLogsData.Secret"/>).</summary>
public sealed class SecretDataAttribute() : DataClassificationAttribute(JobLogsData.Secret);
