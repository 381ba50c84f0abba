using JobLogs.Tests.Support;

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
}
