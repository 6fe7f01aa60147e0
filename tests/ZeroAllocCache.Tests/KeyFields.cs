namespace ZeroAllocCache.Tests;

/// <summary>Writes fields into a key through a delegate, so a test can state any field sequence inline.</summary>
internal delegate void WriteFields(ref CacheKeyWriter writer);

internal readonly struct KeyFields(WriteFields write) : ICacheKeySource
{
    public void WriteTo(ref CacheKeyWriter writer) => write(ref writer);

    public static CacheKey Create(WriteFields write) => CacheKey.Create(new KeyFields(write));
}
