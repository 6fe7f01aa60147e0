using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

using ZeroAllocCache.Benchmarks.Requests;

namespace ZeroAllocCache.Benchmarks.Contenders;

/// <summary>
/// The floor of any cache keyed by a digest of the request: the same five fields, each string prefixed with its
/// length and encoded to UTF-8 into a buffer owned by the caller, then hashed by <see cref="SHA256.HashData(ReadOnlySpan{byte}, Span{byte})"/>.
/// No lookup, no lock, no buffer management: what is left when a cache adds nothing to its own hashing.
/// </summary>
/// <param name="maxChars">The most characters a request hashed by this instance holds, all fields together.</param>
public sealed class Utf8Sha256Floor(int maxChars)
{
    // Every field's length prefix and the two scalars fit in the slack.
    private readonly byte[] _buffer = new byte[Encoding.UTF8.GetMaxByteCount(maxChars) + 64];

    /// <summary>Encodes and hashes a request, in the key's field order (repeated fields first).</summary>
    /// <param name="request">The request.</param>
    /// <param name="digest">Receives the 32-byte SHA-256 digest.</param>
    public void Hash(ChatRequest request, Span<byte> digest)
    {
        Span<byte> buffer = _buffer;
        int length = WriteString(buffer, request.SystemPrompt);
        length += WriteString(buffer[length..], request.Model);
        BinaryPrimitives.WriteSingleLittleEndian(buffer[length..], request.Temperature);
        length += sizeof(float);
        BinaryPrimitives.WriteInt32LittleEndian(buffer[length..], request.MaxTokens);
        length += sizeof(int);
        length += WriteString(buffer[length..], request.UserMessage);
        SHA256.HashData(buffer[..length], digest);
    }

    private static int WriteString(Span<byte> destination, string value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, value.Length);
        return sizeof(int) + Encoding.UTF8.GetBytes(value, destination[sizeof(int)..]);
    }
}
