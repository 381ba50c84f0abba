extern alias WorkerAssembly;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using WorkerAssembly::JobLogs.Worker.ComfyUI;

namespace JobLogs.Tests.ComfyUI;

/// <summary>The worker's ComfyUI client against a stand-in behind a token, as behind a proxy: Bearer on every request and on the socket.</summary>
public sealed class ComfyUIClientTests : IAsyncLifetime
{
    private const string Token = "client-test-token-81c4e0";
    private StandIn _standIn = null!;

    public async Task InitializeAsync() => _standIn = await StandIn.StartAsync(Token, "--step-delay-ms", "5");

    public async Task DisposeAsync() => await _standIn.DisposeAsync();

    private ComfyUIClient Client(string? token) =>
        ComfyUIServices.For(new ComfyUIOptions { Url = _standIn.Url.ToString(), Token = token }).GetRequiredService<ComfyUIClient>();

    private static JsonObject Prompt() => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(Workflows.TextToImage(Workflows.NewSeed())))!.AsObject();

    [Fact]
    public async Task With_the_token_a_prompt_runs_and_its_png_downloads_and_the_socket_opens()
    {
        var client = Client(Token);
        var settings = new ComfyUIOptions { Url = _standIn.Url.ToString(), Token = Token };
        await using var socket = await ComfyUISocket.ConnectAsync(ComfyUISocket.Address(settings, "client-test"), Token, TimeSpan.FromSeconds(5), CancellationToken.None);
        var promptId = Guid.NewGuid().ToString();

        Assert.NotNull(await client.SubmitAsync(Prompt(), "client-test", promptId, _ => Assert.Fail("refused"), CancellationToken.None));
        var entry = await Eventually.Get(async () => await client.HistoryAsync(promptId, CancellationToken.None, log: false) is { } e ? (object)e : null,
            TimeSpan.FromSeconds(20), "the prompt to finish");
        var history = PromptHistory.Parse((System.Text.Json.JsonElement)entry);
        Assert.True(history.Succeeded);
        using var folder = new TempDirectory("download");
        var downloaded = await client.DownloadAsync(history.Outputs.Single(), folder.File("out.png"), CancellationToken.None);
        Assert.Equal(("image/png", new FileInfo(folder.File("out.png")).Length), (downloaded.ContentType, downloaded.Bytes));
        Assert.Contains(await ReadAll(socket), m => m.Contains(promptId));
    }

    [Fact]
    public async Task A_wrong_token_is_refused_as_unauthorized_and_the_token_is_named_by_its_setting_only()
    {
        var failure = await Assert.ThrowsAsync<ComfyUICallException>(() =>
            Client("wrong-token-1234567").SubmitAsync(Prompt(), "client-test", Guid.NewGuid().ToString(), _ => { }, CancellationToken.None));
        Assert.Equal((CallFailure.Unauthorized, 401), (failure.Failure, failure.Status));
        Assert.Equal($"POST {_standIn.Url}prompt", failure.Where);
        Assert.Contains("check ComfyUI:Token", failure.Message);
        Assert.DoesNotContain("wrong-token", failure.Message + failure.Where);
    }

    [Fact]
    public async Task A_comfyui_that_takes_the_request_and_never_answers_is_a_timeout()
    {
        using var blackHole = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        blackHole.Start(); // accepts connections (the kernel's backlog) and never answers
        var url = $"http://127.0.0.1:{((System.Net.IPEndPoint)blackHole.LocalEndpoint).Port}/";
        var client = ComfyUIServices.For(new ComfyUIOptions { Url = url, RequestTimeout = TimeSpan.FromSeconds(1) }).GetRequiredService<ComfyUIClient>();

        var failure = await Assert.ThrowsAsync<ComfyUICallException>(() => client.QueueAsync("x", CancellationToken.None));

        Assert.Equal((CallFailure.Timeout, $"GET {url}queue"), (failure.Failure, failure.Where));
    }

    private static async Task<List<string>> ReadAll(ComfyUISocket socket)
    {
        var messages = new List<string>();
        while (await socket.NextAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None) is ComfyUISocket.Message { Value: var m })
            messages.Add(m.GetRawText());
        return messages;
    }
}
