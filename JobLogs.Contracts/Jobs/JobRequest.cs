namespace JobLogs.Jobs;

/// <summary>
/// A cancel or retry someone asked for, kept on the job record and shown on the job page: what, when, for which
/// attempt, why, and where the request came from.
/// </summary>
public sealed record JobRequest(JobAction Action, DateTimeOffset At, int Attempt, RequestOrigin Origin, string? Reason = null);

public enum JobAction { Cancel, Retry }

/// <summary>
/// Where a request came from, as the Api saw it. JobLogs has no user accounts, so this is what is known: the name the
/// caller gave (<see cref="By"/>), the connection's address, the addresses a proxy (the web) forwarded it for, and the
/// client's user agent.
/// </summary>
public sealed record RequestOrigin(string? By, string? Address, string? ForwardedFor, string? UserAgent)
{
    /// <summary>One line for logs and pages: "alice from 10.0.0.7 via 127.0.0.1 (Mozilla/5.0 …)".</summary>
    public string Describe()
    {
        var who = By ?? "someone";
        var from = ForwardedFor is not null ? $" from {ForwardedFor} via {Address ?? "?"}" : Address is not null ? $" from {Address}" : "";
        var agent = UserAgent is not null ? $" ({UserAgent})" : "";
        return who + from + agent;
    }
}

/// <summary>Body of <c>POST …/jobs/{jobId}/cancel</c> and <c>…/retry</c>, optional: who asks, and why.</summary>
public sealed record JobControlRequest(string? By = null, string? Reason = null);
