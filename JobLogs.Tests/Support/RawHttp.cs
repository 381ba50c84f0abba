using System.Net.Sockets;
using System.Text;

namespace JobLogs.Tests.Support;

/// <summary>
/// Sends a request exactly as written, over a socket: HttpClient would normalise "..", "%2e%2e" and backslashes
/// before they reach the server, and those are what the bad-input tests must send.
/// </summary>
public static class RawHttp
{
    public sealed record Response(int Status, string ContentType, string Body);

    public static async Task<Response> SendAsync(Uri server, string method, string rawTarget, string? body = null, string contentType = "application/json")
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await client.ConnectAsync(server.Host, server.Port, timeout.Token);
        await using var stream = client.GetStream();
        var bodyBytes = body is null ? [] : Encoding.UTF8.GetBytes(body);
        var head = $"{method} {rawTarget} HTTP/1.1\r\nHost: {server.Authority}\r\nConnection: close\r\n" +
                   (body is null ? "" : $"Content-Type: {contentType}\r\nContent-Length: {bodyBytes.Length}\r\n") + "\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head), timeout.Token);
        try
        {
            await stream.WriteAsync(bodyBytes, timeout.Token);
        }
        catch (IOException)
        {
            // The server may answer (e.g. 413) and close before the whole body is sent: read what it said.
        }
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, timeout.Token);
        return Parse(buffer.ToArray());
    }

    private static Response Parse(byte[] bytes)
    {
        var split = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var headers = Encoding.ASCII.GetString(bytes, 0, split).Split("\r\n");
        var status = int.Parse(headers[0].Split(' ')[1]);
        string Header(string name) => headers.Skip(1).Select(h => h.Split(':', 2)).Where(h => h[0].Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h[1].Trim()).FirstOrDefault() ?? "";
        var body = bytes[(split + 4)..];
        if (Header("Transfer-Encoding").Contains("chunked"))
            body = Dechunk(body);
        return new Response(status, Header("Content-Type"), Encoding.UTF8.GetString(body));
    }

    // Chunk sizes count bytes, so the body is taken apart as bytes, not text.
    private static byte[] Dechunk(byte[] body)
    {
        var result = new MemoryStream();
        var position = 0;
        while (position < body.Length)
        {
            var lineEnd = position + body.AsSpan(position).IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(body, position, lineEnd - position).Split(';')[0], 16);
            if (size == 0) break;
            result.Write(body, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
        return result.ToArray();
    }
}
