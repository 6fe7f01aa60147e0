namespace ZeroAllocCache;

/// <summary>What a read of the distributed level found.</summary>
/// <typeparam name="TValue">The cached value type.</typeparam>
/// <param name="Found">Whether a fresh, valid entry was found.</param>
/// <param name="Value">Its value.</param>
/// <param name="Created">When it was created, on the wall clock.</param>
/// <param name="Expires">When it expires, or <see langword="null"/>.</param>
internal readonly record struct DistributedRead<TValue>(bool Found, TValue? Value, DateTimeOffset Created, DateTimeOffset? Expires);
