using System.Buffers.Text;

namespace ZeroAllocCache;

/// <summary>
/// The keys of the distributed level: the prefix, then the 32-byte digest in base64url (43 characters), or a name
/// that no digest can take (its <c>!</c> is outside base64url), such as the clear marker.
/// </summary>
internal sealed class DistributedKeys(string prefix)
{
    private const int DigestLength = 43;

    public string Prefix { get; } = prefix;

    /// <summary>The key under which the time of the last <c>ClearAsync</c> is stored.</summary>
    public string ClearMarker { get; } = prefix + "!clear";

    public string Of(in CacheKey key)
    {
        Span<byte> digest = stackalloc byte[CacheKey.SizeInBytes];
        key.CopyTo(digest);
        Span<char> text = stackalloc char[DigestLength];
        Base64Url.EncodeToChars(digest, text);
        return string.Concat(Prefix.AsSpan(), text);
    }
}
