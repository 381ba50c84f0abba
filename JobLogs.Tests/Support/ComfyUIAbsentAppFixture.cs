using System.Net;
using System.Net.Sockets;

namespace JobLogs.Tests.Support;

/// <summary>The whole app configured with a ComfyUI at an address where nothing listens.</summary>
public sealed class ComfyUIAbsentAppFixture : AppFixture
{
    private readonly int _closedPort = ClosedPort();

    protected override IEnumerable<string> AppHostArgs => [$"--ComfyUI:Url=http://127.0.0.1:{_closedPort}"];

    // A port the OS just gave out and took back: nothing listens there for the short life of the fixture.
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ComfyUIAbsentCollection : ICollectionFixture<ComfyUIAbsentAppFixture>
{
    public const string Name = "Whole app, ComfyUI not running";
}
