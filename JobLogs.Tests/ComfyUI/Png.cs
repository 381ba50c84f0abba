using System.Buffers.Binary;
using System.IO.Compression;

namespace JobLogs.Tests.ComfyUI;

/// <summary>A small valid PNG of one colour (8-bit RGB, not interlaced), for the stand-in's input folder.</summary>
public static class Png
{
    public static byte[] Solid(int width, int height, byte r, byte g, byte b)
    {
        var raw = new byte[height * (1 + 3 * width)];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                (raw[y * (1 + 3 * width) + 1 + 3 * x], raw[y * (1 + 3 * width) + 2 + 3 * x], raw[y * (1 + 3 * width) + 3 + 3 * x]) = (r, g, b);
        using var idat = new MemoryStream();
        using (var zlib = new ZLibStream(idat, CompressionLevel.Fastest, leaveOpen: true))
            zlib.Write(raw);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9]) = (8, 2);
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", idat.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typed));
        png.Write(number);
    }

    private static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }
}
