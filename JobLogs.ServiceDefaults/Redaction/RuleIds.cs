namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>The ids the redaction audit counts values under (job records, heartbeats, the <c>joblogs.redactions</c> metric).</summary>
public static class RuleIds
{
    /// <summary>A secret value of the configuration, as is or URL-encoded, JSON-escaped or in base64.</summary>
    public const string ConfiguredSecret = "configured-secret";
    /// <summary>A PEM private key block, whole or with its BEGIN line cut off.</summary>
    public const string PemPrivateKey = "pem-private-key";
    /// <summary>The user info of <c>scheme://user:password@host</c>.</summary>
    public const string UrlCredentials = "url-credentials";
    /// <summary>The credential after Bearer, Basic or Token.</summary>
    public const string AuthScheme = "auth-scheme";
    /// <summary>The rest of an Authorization or Cookie header line.</summary>
    public const string SecretHeader = "secret-header";
    /// <summary>The value of a secret-named key: KEY=VALUE, JSON, YAML, command lines, query strings, log properties, span tags.</summary>
    public const string SecretKey = "secret-key";
    /// <summary><c>key=</c>, <c>sig=</c> and <c>code=</c> in a query string.</summary>
    public const string QuerySecret = "query-secret";
    /// <summary>Token shapes: <c>token-hf</c>, <c>token-sk</c>, <c>token-github</c>, <c>token-slack</c>, <c>token-aws</c>, <c>token-jwt</c>,
    /// <c>token-google</c>, <c>token-gitlab</c>, <c>token-stripe</c>, <c>token-npm</c>.</summary>
    public const string TokenPrefix = "token-";
    /// <summary>An absolute path under a weight root of config/local.json, written as <c>{alias}/...</c>.</summary>
    public const string WeightPath = "weight-path";
    /// <summary>An absolute path to a weight file (<c>.safetensors</c>, <c>.ckpt</c> …) under no weight root, written as <c>{weights}/...</c> from its models folder on.</summary>
    public const string WeightFile = "weight-file";
    /// <summary>An absolute path under the tools folder, written as <c>{tools}/...</c>.</summary>
    public const string ToolsPath = "tools-path";
    /// <summary>An absolute path under the service's own folder (its content root), written as <c>{app}/...</c>.</summary>
    public const string AppPath = "app-path";
    /// <summary>An absolute path under the data root, written relative to it.</summary>
    public const string DataRootPath = "data-root-path";
}
