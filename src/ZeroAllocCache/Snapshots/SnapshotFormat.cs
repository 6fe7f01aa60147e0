namespace ZeroAllocCache;

/// <summary>The constants of the snapshot format (docs/snapshot-format.md).</summary>
internal static class SnapshotFormat
{
    /// <summary>The format this build writes and the newest it reads.</summary>
    public const ushort Version = 1;

    /// <summary>The length that stands for a missing string.</summary>
    public const ushort NoString = ushort.MaxValue;

    /// <summary>The byte before each entry.</summary>
    public const byte EntryMarker = 1;

    /// <summary>The byte after the last entry, before the trailer.</summary>
    public const byte EndMarker = 0;

    /// <summary>An entry's fixed fields after its partition name: created, expires, hit count, payload length.</summary>
    public const int EntryTimesAndLengthSize = 8 + 8 + 4 + 4;

    /// <summary>The length of the trailing XxHash128 checksum.</summary>
    public const int ChecksumSize = 16;

    /// <summary>The first 8 bytes of every snapshot.</summary>
    public static ReadOnlySpan<byte> Magic => "ZACSNAP\n"u8;
}
