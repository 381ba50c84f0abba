using System.Net;
using System.Net.Sockets;

namespace JobLogs.Testing;

/// <summary>A loopback port nothing listens on: one the OS just gave out and was given back at once.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
