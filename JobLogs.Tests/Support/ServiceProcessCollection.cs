namespace JobLogs.Tests.Support;

/// <summary>
/// Tests that run the services as processes of their own, kill and cut them, and time leases of seconds: they run one
/// after another and alone, so a busy machine does not stretch their seconds.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ServiceProcessCollection
{
    public const string Name = "Service processes";
}
