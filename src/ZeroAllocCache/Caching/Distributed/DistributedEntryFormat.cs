using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace ZeroAllocCache;

/// <summary>
/// How an entry is stored in the distributed level: a 72-byte header, then the serializer's payload. Anything else
/// found under a key (another format, another version, another value type, another key, a short or long payload, a
/// byte changed anywhere) is a miss, never a value.
/// </summary>
/// <remarks>
/// <code>
/// offset  size  field
///      0     3  magic "ZAC"
///      3     1  format version (1)
///      4     8  creation time, UTC ticks, little-endian
///     12     8  expiry, UTC ticks (0 = never)
///     20     8  value type tag: the first 8 bytes of the SHA-256 of the value type's identity
///     28    32  the cache key
///     60     4  payload length, little-endian
///     64     8  checksum: XxHash3 (64-bit) of bytes 0 to 63 and the payload, little-endian
///     72     n  payload
/// </code>
/// XxHash3 rather than a cryptographic hash: it guards against damage (a truncated write, a flipped bit, a foreign
/// tool's bytes), not against someone who can write to the store, who could write any valid entry anyway; and it
/// hashes a 10 KB answer in about a microsecond.
/// </remarks>
internal static class DistributedEntryFormat
{
    public const int HeaderSize = 72;

    private const int ChecksumOffset = 64;

    public const byte Version = 1;

    private static ReadOnlySpan<byte> Magic => "ZAC"u8;

    /// <summary>What a header says, once it is known to be valid.</summary>
    public readonly record struct Header(DateTimeOffset Created, DateTimeOffset? Expires);

    /// <summary>Why an envelope was refused; <see cref="None"/> when it is valid.</summary>
    public enum Problem
    {
        None,
        TooShort,
        NotAnEnvelope,
        UnknownVersion,
        OtherValueType,
        OtherKey,
        WrongLength,
        WrongChecksum,
    }

    /// <summary>The tag of a value type: stable across processes and machines.</summary>
    public static ulong TypeTag<TValue>() => TypeTags<TValue>.Tag;

    /// <summary>Writes the header in front of the payload already in <paramref name="entry"/>, checksum included.</summary>
    /// <param name="entry">The whole entry: <see cref="HeaderSize"/> bytes of room, then the payload.</param>
    /// <param name="key">The key the entry is stored under.</param>
    /// <param name="typeTag">The value type's <see cref="TypeTag{TValue}"/>.</param>
    /// <param name="created">When the value was created.</param>
    /// <param name="expires">When it expires, or <see langword="null"/>.</param>
    public static void WriteHeader(Span<byte> entry, in CacheKey key, ulong typeTag, DateTimeOffset created, DateTimeOffset? expires)
    {
        Magic.CopyTo(entry);
        entry[3] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(entry[4..], created.UtcTicks);
        BinaryPrimitives.WriteInt64LittleEndian(entry[12..], expires?.UtcTicks ?? 0);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[20..], typeTag);
        key.CopyTo(entry[28..]);
        BinaryPrimitives.WriteInt32LittleEndian(entry[60..], entry.Length - HeaderSize);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[ChecksumOffset..], Checksum(entry));
    }

    public static Problem TryReadHeader(ReadOnlySpan<byte> entry, in CacheKey key, ulong typeTag, out Header header)
    {
        header = default;
        if (entry.Length < HeaderSize)
        {
            return entry.Length >= 3 && !entry[..3].SequenceEqual(Magic) ? Problem.NotAnEnvelope : Problem.TooShort;
        }

        if (!entry[..3].SequenceEqual(Magic))
        {
            return Problem.NotAnEnvelope;
        }

        if (entry[3] != Version)
        {
            return Problem.UnknownVersion;
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(entry[20..]) != typeTag)
        {
            return Problem.OtherValueType;
        }

        if (!CacheKey.FromBytes(entry.Slice(28, CacheKey.SizeInBytes)).Equals(key))
        {
            return Problem.OtherKey;
        }

        if (BinaryPrimitives.ReadInt32LittleEndian(entry[60..]) != entry.Length - HeaderSize)
        {
            return Problem.WrongLength;
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(entry[ChecksumOffset..]) != Checksum(entry))
        {
            return Problem.WrongChecksum;
        }

        long created = BinaryPrimitives.ReadInt64LittleEndian(entry[4..]);
        long expires = BinaryPrimitives.ReadInt64LittleEndian(entry[12..]);
        if (created is < 0 || created > DateTimeOffset.MaxValue.UtcTicks || expires is < 0 || expires > DateTimeOffset.MaxValue.UtcTicks)
        {
            return Problem.NotAnEnvelope;
        }

        header = new Header(new DateTimeOffset(created, TimeSpan.Zero), expires == 0 ? null : new DateTimeOffset(expires, TimeSpan.Zero));
        return Problem.None;
    }

    // A hasher a thread: the streaming state is some 600 bytes, which each read and write would otherwise allocate.
    [ThreadStatic]
    private static System.IO.Hashing.XxHash3? t_hash;

    private static ulong Checksum(ReadOnlySpan<byte> entry)
    {
        System.IO.Hashing.XxHash3 hash = t_hash ??= new System.IO.Hashing.XxHash3();
        hash.Reset();
        hash.Append(entry[..ChecksumOffset]);
        hash.Append(entry[HeaderSize..]);
        return hash.GetCurrentHashAsUInt64();
    }

    private static class TypeTags<TValue>
    {
        public static readonly ulong Tag = BinaryPrimitives.ReadUInt64LittleEndian(
            SHA256.HashData(Encoding.UTF8.GetBytes(TypeIdentity<TValue>.Name)));
    }
}
