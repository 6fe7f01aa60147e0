namespace ZeroAllocCache.Tests;

/// <summary>
/// A key source that finds part of its request cannot be keyed faithfully abandons the key: no key is made of what it
/// wrote.
/// </summary>
public class AbandonedKeyTests
{
    [Fact]
    public void TryCreate_returns_false_for_a_source_that_abandons_its_key()
    {
        bool created = CacheKey.TryCreate(new Source(abandonAfter: 2, fields: 4), out CacheKey key);

        Assert.False(created);
        Assert.Equal(default, key);
    }

    [Fact]
    public void TryCreate_gives_the_key_Create_gives_when_the_source_does_not_abandon()
    {
        Source source = new(abandonAfter: -1, fields: 4);

        Assert.True(CacheKey.TryCreate(source, out CacheKey key));
        Assert.Equal(CacheKey.Create(source), key);
    }

    [Fact]
    public void Create_throws_for_a_source_that_abandons_its_key_naming_the_source()
    {
        InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => CacheKey.Create(new Source(abandonAfter: 0, fields: 1)));

        Assert.Contains(nameof(Source), error.Message, StringComparison.Ordinal);
        Assert.Contains("TryCreate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_source_that_abandons_after_streaming_past_the_stack_buffer_leaves_later_keys_correct()
    {
        Source large = new(abandonAfter: 50, fields: 100, fieldLength: 1_000);
        Source small = new(abandonAfter: -1, fields: 3);
        CacheKey before = CacheKey.Create(small);

        Assert.False(CacheKey.TryCreate(large, out _));

        Assert.Equal(before, CacheKey.Create(small));
    }

    private readonly struct Source(int abandonAfter, int fields, int fieldLength = 8) : ICacheKeySource
    {
        public void WriteTo(ref CacheKeyWriter writer)
        {
            writer.Write("abandon-test/v1");
            for (int i = 0; i < fields; i++)
            {
                if (i == abandonAfter)
                {
                    writer.Abandon();
                    return;
                }

                writer.Write(new string((char)('a' + (i % 26)), fieldLength));
            }
        }
    }
}
