using System.Collections.Concurrent;

namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>How many values each rule redacted (never the values): the per-job redaction audit.</summary>
public sealed class RedactionCounts
{
    private readonly ConcurrentDictionary<string, int> _byRule = new(StringComparer.Ordinal);

    public void Add(string ruleId, int count) => _byRule.AddOrUpdate(ruleId, count, (_, n) => n + count);

    public void Add(RedactionCounts other)
    {
        foreach (var (rule, n) in other._byRule)
            Add(rule, n);
    }

    public bool IsEmpty => _byRule.IsEmpty;

    public IReadOnlyDictionary<string, int> Snapshot() => new SortedDictionary<string, int>(_byRule, StringComparer.Ordinal);
}
