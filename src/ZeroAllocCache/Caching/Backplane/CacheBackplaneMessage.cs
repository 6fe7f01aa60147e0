namespace ZeroAllocCache;

/// <summary>What one replica tells the others.</summary>
public enum CacheBackplaneMessageKind : byte
{
    /// <summary>A new value was stored for <see cref="CacheBackplaneMessage.Key"/>, and is in the distributed level if there is one.</summary>
    Changed = 1,

    /// <summary>The entry of <see cref="CacheBackplaneMessage.Key"/> was invalidated.</summary>
    Removed = 2,

    /// <summary>Every entry stored before <see cref="CacheBackplaneMessage.Timestamp"/> was cleared.</summary>
    Cleared = 3,
}

/// <summary>One message of an <see cref="ICacheBackplane"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Key">The key it happened to; the default key for <see cref="CacheBackplaneMessageKind.Cleared"/>.</param>
/// <param name="Timestamp">When, on the sender's wall clock.</param>
/// <param name="Partition">The partition it happened in, or <see langword="null"/> for the cache's own entries.</param>
public readonly record struct CacheBackplaneMessage(
    CacheBackplaneMessageKind Kind, CacheKey Key, DateTimeOffset Timestamp, string? Partition = null);
