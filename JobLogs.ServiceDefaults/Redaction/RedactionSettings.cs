namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>What the redactor knows: secret values from configuration, weight roots (alias → absolute folder), the data root.</summary>
public sealed record RedactionSettings(
    IReadOnlyCollection<string> SecretValues,
    IReadOnlyDictionary<string, string> WeightRoots,
    string? DataRoot,
    int MinSecretLength = 8)
{
    public static RedactionSettings None { get; } = new([], new Dictionary<string, string>(), null);
}
