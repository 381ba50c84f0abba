extern alias WorkerAssembly;
using System.Text.Json;
using JobLogs.Jobs;
using JobLogs.Workers;
using Microsoft.Extensions.DependencyInjection;
using WorkerAssembly::JobLogs.Worker.Api;
using WorkerAssembly::JobLogs.Worker.ComfyUI;
using WorkerAssembly::JobLogs.Worker.Jobs;

namespace JobLogs.Tests.ComfyUI;

/// <summary>
/// Following a prompt when the WebSocket lets the worker down: a socket that stays silent is checked over HTTP, and a
/// socket that breaks (ComfyUI crashed) hands over to polling, which finds the prompt lost.
/// </summary>
public sealed class PromptFollowerTests : IAsyncLifetime
{
    private StandIn _standIn = null!;
    private ComfyUIOptions _settings = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _standIn = await StandIn.StartAsync(null, "--step-delay-ms", "5");
        _settings = new ComfyUIOptions
        {
            Url = _standIn.Url.ToString(), StallTimeout = TimeSpan.FromMilliseconds(300), PollInterval = TimeSpan.FromMilliseconds(100),
            ReconnectTimeout = TimeSpan.FromSeconds(10),
        };
        _services = ComfyUIServices.For(_settings);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _standIn.DisposeAsync();
    }

    private static JobContext Context() => new(new Claim(new Job
    {
        Id = "j-1", ProjectId = "p-1", Type = JobTypes.ComfyUIWorkflow, Status = JobStatus.Running,
        Input = JsonSerializer.SerializeToElement(new { }), CreatedAt = DateTimeOffset.UtcNow, LogPath = "x",
    }, 1, "token", DateTimeOffset.UtcNow.AddMinutes(1), "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01"));

    private async Task<(string PromptId, Workflow Workflow)> Submit(object workflow, string clientId)
    {
        var input = JsonSerializer.SerializeToElement(new { workflow });
        // An inline workflow: the Api, which a workflowPath is fetched from, is never asked.
        var loaded = await Workflow.LoadAsync(new Job
        {
            Id = "j-1", ProjectId = "p-1", Type = JobTypes.ComfyUIWorkflow, Status = JobStatus.Running, Input = input,
            CreatedAt = DateTimeOffset.UtcNow, LogPath = "x",
        }, new ApiClient(new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") }), CancellationToken.None);
        var promptId = Guid.NewGuid().ToString();
        Assert.NotNull(await _services.GetRequiredService<ComfyUIClient>().SubmitAsync(loaded.Prompt, clientId, promptId, _ => Assert.Fail("refused"), CancellationToken.None));
        return (promptId, loaded);
    }

    [Fact]
    public async Task A_silent_socket_is_checked_over_http_and_the_finished_prompt_found()
    {
        // A session of another client hears nothing about this prompt: for this prompt, the socket is stalled.
        await using var socket = await ComfyUISocket.ConnectAsync(ComfyUISocket.Address(_settings, "someone-else"), null, TimeSpan.FromSeconds(5), CancellationToken.None);
        var (promptId, workflow) = await Submit(Workflows.TextToImage(Workflows.NewSeed(), steps: 100), "joblogs-follower-test");

        var history = await _services.GetRequiredService<PromptFollower>().FollowAsync(socket, promptId, workflow, Context(), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(history.Succeeded);
        Assert.Single(history.Outputs);
    }

    [Fact]
    public async Task A_socket_broken_by_a_comfyui_crash_hands_over_to_polling_which_finds_the_prompt_lost()
    {
        const string clientId = "joblogs-follower-crash";
        await using var socket = await ComfyUISocket.ConnectAsync(ComfyUISocket.Address(_settings, clientId), null, TimeSpan.FromSeconds(5), CancellationToken.None);
        var (promptId, workflow) = await Submit(Workflows.Trigger("StandInCrash", new { after_ms = 300 }), clientId);
        var context = Context();

        var lost = await Assert.ThrowsAsync<JobFailedException>(() =>
            _services.GetRequiredService<PromptFollower>().FollowAsync(socket, promptId, workflow, context, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(("prompt lost", "execute", "node 1 StandInCrash"), (lost.Card.Type, lost.Card.Stage, lost.Card.Where));
        Assert.NotNull(socket.Ended);
    }
}
