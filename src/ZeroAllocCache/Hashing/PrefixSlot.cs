namespace ZeroAllocCache.Hashing;

/// <summary>
/// A slot of <see cref="HashPrefixTable"/> and the version it had when a prefix was found in it. It still holds that
/// prefix while its version is the same: a slot is never written without its version moving.
/// </summary>
/// <param name="Index">The slot's index.</param>
/// <param name="Version">The slot's version when the prefix was found.</param>
internal readonly record struct PrefixSlot(int Index, long Version)
{
    /// <summary>No slot: resuming from it always fails.</summary>
    public static PrefixSlot None => new(-1, -1);
}
