using System.Text.Json;
using JobLogs.Api.Health;
using JobLogs.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JobLogs.Tests.Health;

/// <summary>ComfyUI's health as the System page shows it, asked of the real stand-in process: reachable, queue, VRAM — never the token.</summary>
public sealed class ComfyUIHealthTests : IAsyncLifetime
{
    private const string Token = "s3cret-comfy-token-4242";
    private StandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await StandIn.StartAsync(Token);

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    private static Task<ComfyUIStatus> Check(string? url, string? token = null)
    {
        var clients = new ServiceCollection().AddHttpClient().BuildServiceProvider().GetRequiredService<IHttpClientFactory>();
        var health = new ComfyUIHealth(clients, Options.Create(new ComfyUIOptions { Url = url, Token = token }), TimeProvider.System);
        return health.CheckAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_reachable_ComfyUI_shows_its_version_queue_and_vram_and_never_the_token()
    {
        var url = new UriBuilder(_standIn.Url) { UserName = "ops", Password = "pw-in-url" }.Uri.ToString();
        var status = await Check(url, Token);
        Assert.True(status.Reachable, status.Problem);
        Assert.Equal("0.8.0-standin", status.Version);
        Assert.Equal((0, 0), (status.QueueRunning, status.QueuePending));
        var gpu = Assert.Single(status.Devices!);
        Assert.Equal(16L * 1024 * 1024 * 1024, gpu.VramTotal);
        Assert.True(gpu.VramFree > 0);
        Assert.Equal(_standIn.Url.ToString(), status.Url);
        var shown = JsonSerializer.Serialize(status, Json.Options);
        Assert.DoesNotContain(Token, shown);
        Assert.DoesNotContain("pw-in-url", shown);
    }

    [Fact]
    public async Task Each_way_of_not_answering_is_said_in_a_sentence()
    {
        Assert.Equal("ComfyUI answered 401 Unauthorized.", (await Check(_standIn.Url.ToString(), "wrong-token")).Problem);
        var refused = await Check($"http://127.0.0.1:{FreePort.Next()}/");
        Assert.Equal((true, false), (refused.Configured, refused.Reachable));
        Assert.Equal("ComfyUI refused the connection: is it running?", refused.Problem);
        Assert.Equal(new ComfyUIStatus(Configured: false), await Check(null));
        Assert.Equal("ComfyUI:Url is not an http(s) URL.", (await Check("ftp://comfy")).Problem);
    }
}
