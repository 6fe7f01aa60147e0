namespace ZeroAllocCache;

/// <summary>
/// A request shape that can write its fields into a <see cref="CacheKeyWriter"/>, and so be turned into a
/// <see cref="CacheKey"/> by <see cref="CacheKey.Create{TSource}(in TSource)"/>.
/// </summary>
/// <remarks>
/// <para>
/// Implement it on a struct to key any request without boxing or intermediate strings; the
/// <c>[CachedLlmCall]</c> generator emits such structs. Write the fields in a fixed order, and write first a
/// domain string that names the shape (for example <c>"MyApp.Summarize/v1"</c>), so that two shapes never share keys.
/// </para>
/// <para>
/// Write the fields that repeat across requests (system prompt, model, parameters) before those that change
/// (the user message): keys stay the same either way, but a shared prefix lets hashing be resumed.
/// </para>
/// </remarks>
public interface ICacheKeySource
{
    /// <summary>Writes every field that identifies this request, always in the same order.</summary>
    /// <param name="writer">The writer that encodes the fields.</param>
    void WriteTo(ref CacheKeyWriter writer);
}
