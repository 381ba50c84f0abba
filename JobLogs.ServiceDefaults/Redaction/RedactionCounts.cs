namespace JobLogs.ServiceDefaults.Redaction;

/// <summary>How many values each rule redacted (never the values): the per-job redaction audit. Thread-safe.</summary>
public sealed class RedactionCounts
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _byRule = new(StringComparer.Ordinal);

    public void Add(string ruleId, int count)
    {
        if (count <= 0)
            return;
        lock (_gate)
            _byRule[ruleId] = _byRule.GetValueOrDefault(ruleId) + count;
    }

    public void Add(RedactionCounts other)
    {
        foreach (var (rule, n) in other.Snapshot())
            Add(rule, n);
    }

    public bool IsEmpty
    {
        get { lock (_gate) return _byRule.Count == 0; }
    }

    /// <summary>The counts by rule id, sorted by id.</summary>
    public IReadOnlyDictionary<string, int> Snapshot()
    {
        lock (_gate)
            return new SortedDictionary<string, int>(_byRule, StringComparer.Ordinal);
    }
}
