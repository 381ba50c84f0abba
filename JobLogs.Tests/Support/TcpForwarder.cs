using System.Net;
using System.Net.Sockets;

namespace JobLogs.Tests.Support;

/// <summary>
/// A TCP forwarder on loopback that a test puts between two services, and cuts. Cut, it drops every open connection
/// and holds new ones without passing a byte — a network that loses packets, not one that refuses them, so calls hang
/// until their own timeouts. Restored, it closes what it held and forwards new connections again.
/// </summary>
public sealed class TcpForwarder : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Socket> _forwarding = [];
    private readonly List<Socket> _held = [];
    private readonly Task _accepting;
    private bool _cut;

    private TcpForwarder(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener.Start();
        Address = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>Forwards to <paramref name="target"/> (an address on loopback, e.g. a service's).</summary>
    public static TcpForwarder Start(Uri target) => new(target);

    public Uri Address { get; }

    public void Cut()
    {
        lock (_gate)
        {
            _cut = true;
            Close(_forwarding);
        }
    }

    public void Restore()
    {
        lock (_gate)
        {
            _cut = false;
            Close(_held);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_gate)
        {
            Close(_forwarding);
            Close(_held);
        }
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            lock (_gate)
            {
                if (_cut)
                {
                    _held.Add(client);
                    continue;
                }
            }
            _ = ForwardAsync(client);
        }
    }

    private async Task ForwardAsync(Socket client)
    {
        var upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await upstream.ConnectAsync(_target, _stop.Token);
            lock (_gate)
            {
                if (_cut)
                    throw new SocketException((int)SocketError.ConnectionAborted);
                _forwarding.Add(client);
                _forwarding.Add(upstream);
            }
            // Either direction ending ends the connection: HTTP clients do not half-close.
            await Task.WhenAny(PumpAsync(client, upstream), PumpAsync(upstream, client));
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _forwarding.Remove(client);
                _forwarding.Remove(upstream);
            }
            client.Close(0);
            upstream.Close(0);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        try
        {
            await using var source = new NetworkStream(from, ownsSocket: false);
            await using var destination = new NetworkStream(to, ownsSocket: false);
            await source.CopyToAsync(destination);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
        }
    }

    // Closed with a reset, as a dropped connection looks to both ends.
    private static void Close(List<Socket> sockets)
    {
        foreach (var socket in sockets)
            socket.Close(0);
        sockets.Clear();
    }
}
