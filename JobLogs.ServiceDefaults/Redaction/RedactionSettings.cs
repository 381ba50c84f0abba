namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// What the redactor knows beyond its fixed rules: the secret values of the configuration, absolute folders to write
/// as aliases (weight roots from config/local.json, the tools folder), and the data root (paths under it become relative).
/// </summary>
public sealed record RedactionSettings(
    IReadOnlyCollection<string> SecretValues,
    IReadOnlyList<PathAlias> PathAliases,
    string? DataRoot,
    int MinSecretLength = RedactionSettings.DefaultMinSecretLength)
{
    /// <summary>Shorter configured values are not searched for in free text: a secret "test" must not blank out the word "test".</summary>
    public const int DefaultMinSecretLength = 8;

    public static RedactionSettings None { get; } = new([], [], null);
}

/// <summary>An absolute folder written as <c>{Alias}</c>: <c>/srv/models/x.safetensors</c> becomes <c>{models}/x.safetensors</c>.</summary>
public sealed record PathAlias(string Alias, string Root, string RuleId = RuleIds.WeightPath);
