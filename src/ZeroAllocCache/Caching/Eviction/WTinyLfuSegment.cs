namespace ZeroAllocCache;

/// <summary>The part of a W-TinyLFU cache an entry is in (<c>CacheEntry.Segment</c>).</summary>
internal static class WTinyLfuSegment
{
    /// <summary>The LRU window every new entry enters.</summary>
    public const byte Window = 0;

    /// <summary>The main part's LRU of entries admitted from the window and not asked since.</summary>
    public const byte Probation = 1;

    /// <summary>The main part's LRU of entries asked again while on probation.</summary>
    public const byte Protected = 2;
}
