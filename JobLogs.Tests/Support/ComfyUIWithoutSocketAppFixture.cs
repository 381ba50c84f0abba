namespace JobLogs.Tests.Support;

/// <summary>The whole app with a stand-in whose WebSocket is refused (404): the worker follows prompts by polling.</summary>
public sealed class ComfyUIWithoutSocketAppFixture : AppFixture
{
    protected override IReadOnlyDictionary<string, string> StandInSettings =>
        new Dictionary<string, string>(base.StandInSettings) { ["COMFY_STANDIN_WEBSOCKET"] = "off" };
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ComfyUIWithoutSocketCollection : ICollectionFixture<ComfyUIWithoutSocketAppFixture>
{
    public const string Name = "Whole app, ComfyUI without WebSocket";
}
