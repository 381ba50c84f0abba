using System.Text.RegularExpressions;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>One way a secret is recognised in free text, with the id the audit counts it under.</summary>
internal sealed record RedactionRule(string Id, Regex Pattern, MatchEvaluator Replace);
