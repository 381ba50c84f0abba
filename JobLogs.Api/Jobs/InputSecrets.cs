using System.Text.Json;
using System.Text.RegularExpressions;
using JobLogs.Jobs;
using JobLogs.ServiceDefaults.Redaction;

namespace JobLogs.Api.Jobs;

/// <summary>
/// Keeps secrets out of job inputs (DESIGN.md, Job record): a job refers to a secret by name, <c>{"$secret": "NAME"}</c>,
/// and the worker resolves it from its configuration. An input that carries a raw value looking like a secret — a
/// literal under a secret-named key, a token shape, credentials in a URL, a configured secret value — is refused with
/// a sentence that says where it is and how to refer to it instead. The sentence never repeats the value.
/// </summary>
internal sealed partial class InputSecrets(Redactor redactor)
{
    /// <summary>The first problem in <paramref name="input"/>, or null when it carries no secret.</summary>
    public string? Problem(JsonElement input) => Find(input, "input", key: null);

    private string? Find(JsonElement element, string path, string? key)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object when SecretReference.Claims(element):
                return SecretReference.TryRead(element, out _) ? null
                    : $"{path} is a secret reference but not of the form {{\"$secret\": \"NAME\"}}, where NAME is 1 to 64 letters, digits, '_', '-' or '.'.";
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var child = $"{path}.{property.Name}";
                    if (redactor.FindSecret(property.Name) is { } keyRule)
                        return $"A key in {path} looks like a secret ({Describe(keyRule)}). {HowToRefer(null)}";
                    if (SecretKeys.IsSecret(property.Name) && IsLiteral(property.Value))
                        return $"{child} holds a literal value, and its name marks it as a secret. {HowToRefer(property.Name)}";
                    if (Find(property.Value, child, property.Name) is { } problem)
                        return problem;
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                    if (Find(item, $"{path}[{i++}]", key) is { } problem)
                        return problem;
                return null;
            case JsonValueKind.String when redactor.FindSecret(element.GetString()!) is { } rule:
                return $"{path} holds what looks like a secret ({Describe(rule)}). {HowToRefer(key)}";
            default:
                return null;
        }
    }

    private static bool IsLiteral(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => !SecretKeys.IsPlaceholder(value.GetString()),
        JsonValueKind.Number => true,
        _ => false,
    };

    private static string Describe(string rule) => rule switch
    {
        RuleIds.ConfiguredSecret => "the value of a configured secret",
        RuleIds.UrlCredentials => "a password in a URL",
        RuleIds.PemPrivateKey => "a private key",
        RuleIds.AuthScheme => "Bearer or Basic credentials",
        RuleIds.SecretKey or RuleIds.SecretHeader or RuleIds.QuerySecret => "a secret-named key with its value",
        _ when rule.StartsWith(RuleIds.TokenPrefix, StringComparison.Ordinal) => $"a token of the shape {rule[RuleIds.TokenPrefix.Length..]}",
        _ => rule,
    };

    private static string HowToRefer(string? key)
    {
        var name = key is null ? "NAME" : NameChars().Replace(key, "_").Trim('_').ToUpperInvariant() is { Length: > 0 } n ? n : "NAME";
        return $"Secrets never go into a job's input: put the value in the worker's configuration as JobLogs:Secrets:{name} " +
            $"(environment variable JobLogs__Secrets__{name}) and refer to it here as {{\"$secret\": \"{name}\"}}.";
    }

    [GeneratedRegex("[^A-Za-z0-9_]+")]
    private static partial Regex NameChars();
}
