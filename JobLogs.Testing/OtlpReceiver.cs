using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace JobLogs.Testing;

/// <summary>
/// An OTLP/HTTP receiver inside the test: the services export their traces, metrics and logs here, so tests can
/// read what left the processes, and stopping the app does not wait on a dead exporter.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _received = new();

    private OtlpReceiver(WebApplication app) => _app = app;

    public string Endpoint { get; private set; } = "";

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver._received.Enqueue((signal, body.ToArray()));
            return Results.Bytes([], "application/x-protobuf");
        });
        await app.StartAsync();
        receiver.Endpoint = app.Urls.First();
        return receiver;
    }

    /// <summary>Every export request received so far for a signal (traces, metrics, logs), as raw protobuf.</summary>
    public IReadOnlyList<byte[]> Received(string signal) => [.. _received.Where(r => r.Signal == signal).Select(r => r.Body)];

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
