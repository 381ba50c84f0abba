namespace JobLogs.ServiceDefaults.Security;

/// <summary>Whether the service runs open (no key: loopback only) — what it says about itself at start.</summary>
public sealed record AccessMode(bool Open, string? Notice);
