namespace ZeroAllocCache;

/// <summary>The constants of the snapshot format (docs/snapshot-format.md).</summary>
internal static class SnapshotFormat
{
    /// <summary>The format this build writes and the newest it reads.</summary>
    public const ushort Version = 1;

    /// <summary>The length that stands for a missing string.</summary>
    public const ushort NoString = ushort.MaxValue;

    public const byte EntryMarker = 1;

    public const byte EndMarker = 0;

    public const int ChecksumSize = 16;

    /// <summary>The first 8 bytes of every snapshot.</summary>
    public static ReadOnlySpan<byte> Magic => "ZACSNAP\n"u8;
}
