namespace ZeroAllocCache.Tests;

public class ArgumentValidationTests
{
    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(ExactMatchCache<int>.MaxSupportedSize + 1)]
    public void An_out_of_range_max_size_throws_naming_it(int maxSize)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => new ExactMatchCache<int>(maxSize));
        Assert.Equal("maxSize", error.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_ttl_of_zero_or_less_throws_naming_it(long ticks)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new ExactMatchCache<int>(ttl: TimeSpan.FromTicks(ticks)));
        Assert.Equal("ttl", error.ParamName);
    }

    [Fact]
    public void The_smallest_positive_ttl_is_accepted()
    {
        Assert.Equal(TimeSpan.FromTicks(1), new ExactMatchCache<int>(ttl: TimeSpan.FromTicks(1)).Ttl);
    }

    [Fact]
    public void Put_with_a_null_string_throws_and_stores_nothing()
    {
        ExactMatchCache<int> cache = new();

        Assert.Equal("userMessage", Assert.Throws<ArgumentNullException>(() => cache.Put(null!, "s", "m", 0f, 1, 1)).ParamName);
        Assert.Equal("systemPrompt", Assert.Throws<ArgumentNullException>(() => cache.Put("u", null!, "m", 0f, 1, 1)).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => cache.Put("u", "s", null!, 0f, 1, 1)).ParamName);

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void TryGet_and_Invalidate_with_a_null_string_throw_and_count_nothing()
    {
        ExactMatchCache<int> cache = new();

        Assert.Equal("userMessage", Assert.Throws<ArgumentNullException>(() => cache.TryGet(null!, "s", "m", 0f, 1, out _)).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => cache.Invalidate("u", "s", null!, 0f, 1)).ParamName);

        Assert.Equal(0, cache.Stats.Lookups);
    }

    [Fact]
    public void GetOrAddAsync_with_a_null_factory_throws_naming_it_and_counts_nothing()
    {
        ExactMatchCache<int> cache = new();

        // The check is synchronous: the call throws before any task exists.
        Action call = () => cache.GetOrAddAsync(default, 0, null!).AsTask();

        ArgumentNullException error = Assert.Throws<ArgumentNullException>(call);

        Assert.Equal("factory", error.ParamName);
        Assert.Equal(0, cache.Stats.Lookups);
    }
}
