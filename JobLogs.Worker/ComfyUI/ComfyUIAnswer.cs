using System.Text;
using System.Text.Json;

namespace JobLogs.Worker.ComfyUI;

/// <summary>An answer of ComfyUI's HTTP API as read: its status, content type and body (bounded), and the body's JSON when it is JSON.</summary>
internal sealed record ComfyUIAnswer(int Status, string? MediaType, byte[] Body, JsonElement? Json)
{
    private const int MaxAnswerBytes = 8 * 1024 * 1024;

    public static async Task<ComfyUIAnswer> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var bytes = await ReadBounded(response.Content, cancellationToken);
        return new ComfyUIAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, bytes, TryParse(bytes));
    }

    /// <summary>The start of an answer as printable text, for a card: enough to recognise a login page or an error page.</summary>
    public string Excerpt()
    {
        var text = Encoding.UTF8.GetString(Body, 0, Math.Min(Body.Length, 200));
        var printable = string.Concat(text.Select(c => char.IsControl(c) ? ' ' : c)).Trim();
        printable = string.Join(' ', printable.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return printable.Length == 0 ? "an empty body" : $"'{(printable.Length > 120 ? printable[..120] + "…" : printable)}'";
    }

    private static async Task<byte[]> ReadBounded(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int n;
        while ((n = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + n > MaxAnswerBytes)
                throw new IOException($"ComfyUI's answer is larger than {MaxAnswerBytes} bytes.");
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }

    private static JsonElement? TryParse(byte[] body)
    {
        if (body.Length == 0)
            return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
