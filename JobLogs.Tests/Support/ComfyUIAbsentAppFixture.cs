namespace JobLogs.Tests.Support;

/// <summary>The whole app configured with a ComfyUI at an address where nothing listens.</summary>
public sealed class ComfyUIAbsentAppFixture : AppFixture
{
    private readonly int _closedPort = FreePort.Next();

    protected override IEnumerable<string> AppHostArgs => [$"--ComfyUI:Url=http://127.0.0.1:{_closedPort}"];
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ComfyUIAbsentCollection : ICollectionFixture<ComfyUIAbsentAppFixture>
{
    public const string Name = "Whole app, ComfyUI not running";
}
