using System.Buffers.Binary;
using System.Text;

namespace ZeroAllocCache.Redis;

/// <summary>
/// A backplane message on the wire: small and binary, 62 bytes plus the cache's and the partition's names.
/// </summary>
/// <remarks>
/// <code>
/// offset  size  field
///      0     1  format version (1)
///      1     1  kind (1 changed, 2 removed, 3 cleared)
///      2    16  sender: the connection that sent it, which ignores its own messages
///     18     8  timestamp, UTC ticks, little-endian
///     26    32  the cache key (zeros for a clear)
///     58     2  length of the cache's name in UTF-8 bytes, then the name
///      …     2  length of the partition's name (0xFFFF: none), then the name
/// </code>
/// A message that does not parse (another version, a short or long one) is ignored.
/// </remarks>
internal static class BackplaneMessageFormat
{
    public const byte Version = 1;

    private const int FixedSize = 58;
    private const ushort NoPartition = ushort.MaxValue;

    public static byte[] Write(Guid sender, string cacheName, in CacheBackplaneMessage message)
    {
        int nameLength = Encoding.UTF8.GetByteCount(cacheName);
        int partitionLength = message.Partition is null ? 0 : Encoding.UTF8.GetByteCount(message.Partition);
        if (nameLength >= NoPartition || partitionLength >= NoPartition)
        {
            throw new ArgumentException("A cache or partition name is too long for a backplane message.", nameof(cacheName));
        }

        byte[] bytes = new byte[FixedSize + 2 + nameLength + 2 + partitionLength];
        Span<byte> span = bytes;
        span[0] = Version;
        span[1] = (byte)message.Kind;
        sender.TryWriteBytes(span[2..]);
        BinaryPrimitives.WriteInt64LittleEndian(span[18..], message.Timestamp.UtcTicks);
        message.Key.CopyTo(span[26..]);
        BinaryPrimitives.WriteUInt16LittleEndian(span[58..], (ushort)nameLength);
        Encoding.UTF8.GetBytes(cacheName, span[60..]);
        int at = 60 + nameLength;
        BinaryPrimitives.WriteUInt16LittleEndian(span[at..], message.Partition is null ? NoPartition : (ushort)partitionLength);
        if (message.Partition is not null)
        {
            Encoding.UTF8.GetBytes(message.Partition, span[(at + 2)..]);
        }

        return bytes;
    }

    public static bool TryRead(ReadOnlySpan<byte> bytes, out Guid sender, out string cacheName, out CacheBackplaneMessage message)
    {
        sender = default;
        cacheName = string.Empty;
        message = default;
        if (bytes.Length < FixedSize + 4 || bytes[0] != Version || bytes[1] is < 1 or > 3)
        {
            return false;
        }

        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[58..]);
        int at = 60 + nameLength;
        if (bytes.Length < at + 2)
        {
            return false;
        }

        ushort partitionLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes[at..]);
        int end = at + 2 + (partitionLength == NoPartition ? 0 : partitionLength);
        long ticks = BinaryPrimitives.ReadInt64LittleEndian(bytes[18..]);
        if (bytes.Length != end || ticks < 0 || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        sender = new Guid(bytes.Slice(2, 16));
        cacheName = Encoding.UTF8.GetString(bytes.Slice(60, nameLength));
        string? partition = partitionLength == NoPartition ? null : Encoding.UTF8.GetString(bytes.Slice(at + 2, partitionLength));
        message = new CacheBackplaneMessage(
            (CacheBackplaneMessageKind)bytes[1],
            CacheKey.FromBytes(bytes.Slice(26, CacheKey.SizeInBytes)),
            new DateTimeOffset(ticks, TimeSpan.Zero),
            partition);
        return true;
    }
}
