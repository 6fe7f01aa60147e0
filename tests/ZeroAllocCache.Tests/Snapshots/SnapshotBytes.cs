using System.Buffers.Binary;
using System.IO.Hashing;

namespace ZeroAllocCache.Tests.Snapshots;

/// <summary>
/// The layout of a snapshot (docs/snapshot-format.md), for tests that craft one field at a time: where the entries
/// start, where an entry's fields are, and the checksum written again so that only the crafted field is wrong.
/// </summary>
internal static class SnapshotBytes
{
    public const int VersionOffset = 8;
    public const int FlagsOffset = 10;

    // Within an entry without a partition: marker, key, partition length, then these.
    public const int CreatedInEntry = 1 + 32 + 2;
    public const int ExpiresInEntry = CreatedInEntry + 8;
    public const int HitCountInEntry = ExpiresInEntry + 8;
    public const int LengthInEntry = HitCountInEntry + 4;
    public const int PayloadInEntry = LengthInEntry + 4;

    /// <summary>The offset of the first entry: after the magic, version, flags, two names and two times.</summary>
    public static int FirstEntry(byte[] snapshot)
    {
        int at = 12;
        for (int name = 0; name < 2; name++)
        {
            at += 2 + BinaryPrimitives.ReadUInt16LittleEndian(snapshot.AsSpan(at));
        }

        return at + 8 + 8;
    }

    /// <summary>The offset of the end marker: after the last entry.</summary>
    public static int EndMarker(byte[] snapshot) => snapshot.Length - 16 - 8 - 1;

    /// <summary>Writes the trailing checksum again over the bytes before it.</summary>
    public static byte[] WithChecksum(byte[] snapshot)
    {
        XxHash128.Hash(snapshot.AsSpan(0, snapshot.Length - 16), snapshot.AsSpan(snapshot.Length - 16));
        return snapshot;
    }
}
