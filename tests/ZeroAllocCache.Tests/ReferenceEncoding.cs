using System.Security.Cryptography;
using System.Text;

namespace ZeroAllocCache.Tests;

/// <summary>
/// An independent, deliberately plain implementation of the documented key encoding. Keys computed by the library
/// must equal SHA-256 over these bytes: that pins the format, so a change to it cannot go unnoticed.
/// </summary>
internal sealed class ReferenceEncoding
{
    private readonly List<byte> _bytes = [1]; // format version

    public static CacheKey ChatRequestKey(string userMessage, string systemPrompt, string model, float temperature, int maxTokens)
    {
        ReferenceEncoding encoding = new();
        encoding.String("chat-request/v1");
        encoding.String(systemPrompt);
        encoding.String(model);
        encoding.Single(temperature);
        encoding.Int32(maxTokens);
        encoding.String(userMessage);
        return encoding.Key();
    }

    public ReferenceEncoding String(string value)
    {
        _bytes.Add(1);
        AddLittleEndian(value.Length, 4);
        _bytes.AddRange(Wtf8(value));
        return this;
    }

    public ReferenceEncoding Single(float value)
    {
        float normalized = value == 0f ? 0f : float.IsNaN(value) ? float.NaN : value;
        _bytes.Add(13);
        AddLittleEndian(BitConverter.SingleToInt32Bits(normalized), 4);
        return this;
    }

    public ReferenceEncoding Int32(int value)
    {
        _bytes.Add(9);
        AddLittleEndian(value, 4);
        return this;
    }

    public ReferenceEncoding Null()
    {
        _bytes.Add(2);
        return this;
    }

    public ReferenceEncoding Bytes(byte[] value)
    {
        _bytes.Add(22);
        AddLittleEndian(value.Length, 4);
        _bytes.AddRange(value);
        return this;
    }

    public ReferenceEncoding Sequence(int count)
    {
        _bytes.Add(21);
        AddLittleEndian(count, 4);
        return this;
    }

    public byte[] ToArray() => [.. _bytes];

    public CacheKey Key() => CacheKey.FromBytes(SHA256.HashData(ToArray()));

    // UTF-8 for well-formed text; a lone surrogate as the three-byte form of its code unit.
    private static byte[] Wtf8(string value)
    {
        List<byte> bytes = [];
        int runStart = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++; // a valid pair stays in the run
            }
            else if (char.IsSurrogate(c))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(value[runStart..i]));
                bytes.Add((byte)(0xE0 | (c >> 12)));
                bytes.Add((byte)(0x80 | ((c >> 6) & 0x3F)));
                bytes.Add((byte)(0x80 | (c & 0x3F)));
                runStart = i + 1;
            }
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(value[runStart..]));
        return [.. bytes];
    }

    private void AddLittleEndian(long value, int size)
    {
        for (int i = 0; i < size; i++)
        {
            _bytes.Add((byte)(value >> (8 * i)));
        }
    }
}
