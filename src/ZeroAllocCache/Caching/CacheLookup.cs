using System.Diagnostics.CodeAnalysis;

namespace ZeroAllocCache;

/// <summary>The outcome of <see cref="ExactMatchCache{TValue}.TryGetAsync"/>: whether a value was found, and the value.</summary>
/// <typeparam name="TValue">The cached value type.</typeparam>
/// <param name="Found">Whether a fresh value was found, in memory or in the distributed level.</param>
/// <param name="Value">The value when found; otherwise the default value.</param>
public readonly record struct CacheLookup<TValue>(
    [property: MemberNotNullWhen(true, nameof(CacheLookup<TValue>.Value))] bool Found,
    TValue? Value);
