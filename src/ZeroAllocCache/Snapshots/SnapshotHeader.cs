namespace ZeroAllocCache;

/// <summary>What a snapshot says about itself before its entries (docs/snapshot-format.md).</summary>
/// <param name="ValueType">The cached value type's name, as <c>TypeIdentity</c> writes it.</param>
/// <param name="Serializer">The serializer's full type name.</param>
/// <param name="WrittenAt">When the snapshot was written, in UTC.</param>
/// <param name="Ttl">The saving cache's TTL, or <see langword="null"/> for none.</param>
internal readonly record struct SnapshotHeader(string ValueType, string Serializer, DateTimeOffset WrittenAt, TimeSpan? Ttl);
