using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;

namespace JobLogs.Tests.ComfyUI;

/// <summary>
/// The stand-in answers like the real ComfyUI v0.8.0 did: the recorded requests replayed against it (from .NET's own
/// HttpClient and ClientWebSocket, as the worker talks to it) get the recorded status codes, JSON shapes and WebSocket
/// message sequences. What differs on purpose is named, and must show as such.
/// </summary>
public sealed class StandInContractTests
{
    [Fact]
    public async Task The_recorded_requests_get_the_recorded_answers()
    {
        // Configured like the recorded server: no model but a corrupt checkpoint, a corrupt PNG among the inputs.
        await using var standIn = await StandIn.StartAsync(null,
            "--models", "", "--broken-models", "", "--corrupt-models", "comfykit_corrupt.safetensors", "--loras", "", "--step-delay-ms", "5");
        File.WriteAllBytes(Path.Combine(standIn.InputDir, "example.png"), Png.Solid(64, 64, 40, 90, 160));
        File.WriteAllText(Path.Combine(standIn.InputDir, "comfykit_corrupt.png"), "this is not a PNG file, just bytes pretending to be one\n");
        // What the recorded client uploaded before it loaded it (uploads are replayed by selfcheck.py, not here).
        File.WriteAllBytes(Path.Combine(standIn.InputDir, "comfykit_upload.png"), Png.Solid(8, 8, 200, 30, 30));
        await using var replay = new CaptureReplay(standIn);

        foreach (var file in new[] { "capture-meta.json", "capture-success.json", "capture-errors.json" })
            await replay.RunAsync(file);

        Assert.True(replay.Differences.Count == 0, string.Join("\n", replay.Differences));
        Assert.True(replay.Compared > 100, $"Only {replay.Compared} answers compared.");
        Assert.Equal(6, replay.Kept.Count(k => k.EndsWith("upload not replayed here")));
    }

    [Fact]
    public async Task Queue_operations_and_interrupts_behind_a_token_end_prompts_as_recorded()
    {
        await using var standIn = await StandIn.StartAsync("contract-test-token-5f2a", "--step-delay-ms", "10");
        await using var replay = new CaptureReplay(standIn, slowCheckpoint: "sd15-demo.safetensors");

        await replay.RunAsync("capture-control.json");

        Assert.True(replay.Differences.Count == 0, string.Join("\n", replay.Differences));
        Assert.True(replay.Compared > 30, $"Only {replay.Compared} answers compared.");
        using var anonymous = new HttpClient { BaseAddress = standIn.Url };
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await anonymous.GetAsync("queue")).StatusCode);
    }

    [Fact]
    public async Task A_prompt_submitted_the_moment_its_socket_opens_tells_that_client_everything_from_its_start()
    {
        // The thread accepting the socket pauses after its 101, as on a busy machine, while the client submits at once
        // (the worker does): ComfyUI registers a socket before it sends anything, so no event of the prompt is lost.
        await using var standIn = await StandIn.StartAsync(null, "--step-delay-ms", "1", "--ws-accept-delay-ms", "500");
        var clientId = $"joblogs-{Guid.NewGuid():N}";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://{standIn.Url.Authority}/ws?clientId={clientId}"), timeout.Token);
        var promptId = Guid.NewGuid().ToString();
        using var http = standIn.Client();
        using (var submitted = await http.PostAsJsonAsync("prompt", new { prompt = Workflows.TextToImage(Workflows.NewSeed()), client_id = clientId, prompt_id = promptId }, timeout.Token))
            submitted.EnsureSuccessStatusCode();

        var events = new List<string>();
        var buffer = new byte[64 * 1024];
        try
        {
            while (events.LastOrDefault() is not ("execution_success" or "execution_error"))
            {
                var read = await socket.ReceiveAsync(buffer, timeout.Token);
                if (read.MessageType != WebSocketMessageType.Text)
                    continue;
                var message = JsonDocument.Parse(buffer.AsMemory(0, read.Count)).RootElement;
                var type = message.GetProperty("type").GetString();
                var data = message.GetProperty("data");
                if (type != "progress_state" && data.TryGetProperty("prompt_id", out var id) && id.GetString() == promptId)
                    events.Add(type == "executing" ? $"executing {data.GetProperty("node")}" : type!);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The prompt's end never reached its client; it heard: {string.Join(", ", events)}");
        }
        Assert.Equal(["execution_start", "execution_cached", "executing 1"], events.Take(3));
        Assert.Contains("executing 5", events);
    }
}
