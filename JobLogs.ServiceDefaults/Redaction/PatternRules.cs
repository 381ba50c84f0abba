using System.Text.RegularExpressions;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>
/// The fixed rules, in the order they run: private key blocks, credentials in URLs, token shapes, Bearer/Basic/Token
/// credentials, secret headers, secret keys in KEY=VALUE / JSON / YAML / command-line text, and query secrets.
/// Each masks only the secret part: keys, quotes, schemes and hosts stay readable.
/// </summary>
internal static partial class PatternRules
{
    /// <summary>Token shapes by id: the named group of <see cref="TokenShapeRegex"/> that matched gives the id.</summary>
    private static readonly (string Group, string Id, string[] Triggers)[] TokenShapes =
    [
        ("hf", RuleIds.TokenPrefix + "hf", ["hf_"]),
        ("sk", RuleIds.TokenPrefix + "sk", ["sk-"]),
        ("github", RuleIds.TokenPrefix + "github", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]),
        ("slack", RuleIds.TokenPrefix + "slack", ["xox"]),
        ("aws", RuleIds.TokenPrefix + "aws", ["AKIA", "ASIA", "ABIA", "ACCA"]),
        ("jwt", RuleIds.TokenPrefix + "jwt", ["eyJ"]),
        ("google", RuleIds.TokenPrefix + "google", ["AIza"]),
        ("gitlab", RuleIds.TokenPrefix + "gitlab", ["glpat-"]),
        ("stripe", RuleIds.TokenPrefix + "stripe", ["k_live_", "k_test_"]),
        ("npm", RuleIds.TokenPrefix + "npm", ["npm_"]),
    ];

    private static string? TokenShape(Match match, out string id)
    {
        foreach (var shape in TokenShapes)
            if (match.Groups[shape.Group].Success)
            {
                id = shape.Id;
                return Redactor.Mask;
            }
        throw new System.Diagnostics.UnreachableException("Every alternative of the token shape pattern is a named group.");
    }

    /// <summary>
    /// The rule a value is secret by, when the text just before it says so: a message template "Bearer {Value}" or
    /// "password={Value}" makes its property a secret whatever the property is named. Null when the text does not.
    /// </summary>
    public static string? SecretContext(string textBefore)
    {
        var match = SecretContextRegex.Match(textBefore);
        if (!match.Success)
            return null;
        return match.Groups["scheme"].Success ? RuleIds.AuthScheme
            : match.Groups["url"].Success ? RuleIds.UrlCredentials
            : match.Groups["query"].Success ? RuleIds.QuerySecret
            : match.Groups["header"].Success ? RuleIds.SecretHeader
            : KeyValueRule.IsSecretPair(textBefore, match) ? RuleIds.SecretKey
            : null;
    }

    // What stands before a value in the scanner's pairs and arguments, at the end of the text: the key decides (SecretKeys).
    private static readonly Regex SecretContextRegex = new(
        @"(?:(?<scheme>\b(?:Bearer|Basic|Token)[ \t]+)" +
        @"|(?<header>(?<![A-Za-z0-9_\-])(?:(?>[A-Za-z0-9]+)-)*(?:authorization|cookie)[ \t]*:[^\r\n""\\]*)" +
        @"|(?<url>\b[A-Za-z][A-Za-z0-9+.\-]{0,30}://[^\s/?#@:""'\\<>]*:)" +
        @"|(?<query>[?&;](?:key|sig|code)=)" +
        @"|(?:^|[\s""'])--?" + KeyValueRule.Key + @"[ \t]+" +
        @"|(?<![A-Za-z0-9_.\-$])" + KeyValueRule.Key + KeyValueRule.Separator + @"(?:\\*[""'])?)\z",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture | RegexOptions.Compiled);

    private static string? MaskUnlessPlaceholder(Match match) =>
        SecretKeys.IsPlaceholder(match.Groups["value"].ValueSpan.Trim()) ? null : RegexRule.MaskGroup(match, "value");

    // "Basic configuration" and "Token expired" are words; a credential has a digit, mixed case or a symbol of base64 / JWTs.
    private static bool LooksLikeCredential(ReadOnlySpan<char> value) =>
        value.Length >= 8 && (value.IndexOfAnyInRange('0', '9') >= 0 || value.IndexOfAny("+/=~.-") >= 0
            || value.IndexOfAnyInRange('A', 'Z') >= 0 && value.IndexOfAnyInRange('a', 'z') >= 0);

    [GeneratedRegex(@"-----BEGIN (?<label>(?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z)",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex PemRegex();

    // A block cut by a tail loses its BEGIN line: the base64 lines before an END line are the key's body too. Matched
    // right to left, from the END line, so text without one costs one scan.
    [GeneratedRegex(@"(?<body>(?:[A-Za-z0-9+/=]{4,}(?:\r?\n|\\r?\\n|[ \t]+))+)-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture | RegexOptions.RightToLeft)]
    private static partial Regex PemBodyRegex();

    // scheme://user:password@host — the whole user info goes (a token is often the user name). The password may hold '@':
    // the last '@' before the host ends it.
    [GeneratedRegex(@"(?<=\b[A-Za-z][A-Za-z0-9+.\-]{0,30}://)[^\s/?#@:""'\\<>]*:[^\s/?#""'\\<>]*@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlCredentialsRegex();

    [GeneratedRegex(@"\b(?:Bearer|Basic|Token)[ \t]+(?<value>[A-Za-z0-9\-._~+/]+=*)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex AuthSchemeRegex();

    [GeneratedRegex(
        @"\b(?:(?<hf>hf_[A-Za-z0-9]{30,})" +
        @"|(?<sk>sk-(?:proj-|svcacct-|admin-|ant-(?:api|admin)[0-9]{2}-)?[A-Za-z0-9_\-]{20,})" +
        @"|(?<github>gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})" +
        @"|(?<slack>xox[abposre]-[A-Za-z0-9\-]{10,})" +
        @"|(?<aws>(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b)" +
        @"|(?<jwt>eyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]*)" +
        @"|(?<google>AIza[0-9A-Za-z_\-]{35})" +
        @"|(?<gitlab>glpat-[0-9A-Za-z_\-]{20,})" +
        @"|(?<stripe>[sr]k_(?:live|test)_[0-9A-Za-z]{16,})" +
        @"|(?<npm>npm_[A-Za-z0-9]{36}))",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex TokenShapeRegex();

    // "Cookie: a=1; b=2" and "Authorization: Digest user=..., response=..." — the whole rest of the line is the secret
    // (in JSON-escaped text the line ends at \n or \").
    [GeneratedRegex(@"(?<![A-Za-z0-9_\-])(?:(?>[A-Za-z0-9]+)-)*(?:authorization|cookie)[ \t]*:[ \t]*(?<value>(?:[^\r\n\\]|\\(?![nr""]))+)",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SecretHeaderRegex();

    // Query parameters that are secrets though their names are not: ?key=, &sig=, &code= (token=, api_key= ... are secret keys).
    [GeneratedRegex(@"(?<=[?&;])(?:key|sig|code)=(?<value>[^&\s#""'\\<>]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.ExplicitCapture)]
    private static partial Regex QuerySecretRegex();

    // Last: static fields initialise in order, and the rules use the patterns above.
    public static readonly IReadOnlyList<RedactionRule> All =
    [
        new RegexRule(RuleIds.PemPrivateKey, ["-----BEGIN"], TriggerKind.Shape, PemRegex(),
            m => $"-----BEGIN {m.Groups["label"].Value}-----{Redactor.Mask}-----END {m.Groups["label"].Value}-----"),
        new RegexRule(RuleIds.PemPrivateKey, ["PRIVATE KEY"], TriggerKind.Shape, PemBodyRegex(), m => RegexRule.MaskGroup(m, "body")),
        new RegexRule(RuleIds.UrlCredentials, ["://"], TriggerKind.Shape, UrlCredentialsRegex(), m => Redactor.Mask + "@"),
        new RegexRule(TokenShapes.Select(t => t.Id).ToArray(), TokenShapes.SelectMany(t => t.Triggers).ToArray(), TriggerKind.Shape, TokenShapeRegex(), TokenShape),
        new RegexRule(RuleIds.AuthScheme, ["bearer", "basic", "token"], TriggerKind.Word, AuthSchemeRegex(), m =>
            LooksLikeCredential(m.Groups["value"].ValueSpan) ? RegexRule.MaskGroup(m, "value") : null),
        new RegexRule(RuleIds.SecretHeader, ["auth", "cookie"], TriggerKind.Word, SecretHeaderRegex(), MaskUnlessPlaceholder),
        KeyValueRule.Pairs,
        KeyValueRule.Arguments,
        new RegexRule(RuleIds.QuerySecret, ["key=", "sig=", "code="], TriggerKind.Word, QuerySecretRegex(), MaskUnlessPlaceholder),
    ];
}
