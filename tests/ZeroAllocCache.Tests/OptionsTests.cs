using Microsoft.Extensions.Time.Testing;

namespace ZeroAllocCache.Tests;

/// <summary><see cref="ExactMatchCacheOptions{TValue}"/> and the constructor that takes them.</summary>
public class OptionsTests
{
    [Fact]
    public void Default_options_build_the_same_cache_as_the_default_constructor()
    {
        ExactMatchCache<string> fromOptions = new(new ExactMatchCacheOptions<string>());
        ExactMatchCache<string> positional = new();

        Assert.Equal(positional.MaxSize, fromOptions.MaxSize);
        Assert.Equal(1024, fromOptions.MaxSize);
        Assert.Null(fromOptions.Ttl);
        Assert.Null(fromOptions.Name);
        Assert.Same(TimeProvider.System, fromOptions.TimeProvider);
    }

    [Fact]
    public void Every_option_reaches_the_cache()
    {
        FakeTimeProvider clock = new();

        ExactMatchCache<string> cache = new(new ExactMatchCacheOptions<string>
        {
            MaxSize = 2,
            Ttl = TimeSpan.FromMinutes(5),
            TimeProvider = clock,
            Name = "chat",
        });

        Assert.Equal((2, TimeSpan.FromMinutes(5), "chat"), (cache.MaxSize, cache.Ttl, cache.Name));
        Assert.Same(clock, cache.TimeProvider);
        cache.Put("a", "s", "m", 0f, 1, "1");
        clock.Advance(TimeSpan.FromMinutes(6));
        Assert.False(cache.TryGet("a", "s", "m", 0f, 1, out _));
    }

    [Fact]
    public void The_cache_keeps_its_own_copy_of_the_options()
    {
        ExactMatchCacheOptions<string> options = new() { MaxSize = 10 };
        ExactMatchCache<string> cache = new(options);

        options.MaxSize = 20;
        options.Ttl = TimeSpan.FromSeconds(1);

        Assert.Equal(10, cache.MaxSize);
        Assert.Null(cache.Ttl);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(ExactMatchCache<int>.MaxSupportedSize + 1)]
    public void An_out_of_range_MaxSize_throws_naming_the_option(int maxSize)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new ExactMatchCache<int>(new ExactMatchCacheOptions<int> { MaxSize = maxSize }));

        Assert.Equal("MaxSize", error.ParamName);
        Assert.Contains("MaxSize must be from 0", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void A_ttl_that_is_not_above_zero_throws_naming_the_option(int seconds)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new ExactMatchCache<int>(new ExactMatchCacheOptions<int> { Ttl = TimeSpan.FromSeconds(seconds) }));

        Assert.Equal("Ttl", error.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public void An_empty_name_throws_naming_the_option(string name)
    {
        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new ExactMatchCache<int>(new ExactMatchCacheOptions<int> { Name = name }));

        Assert.Equal("Name", error.ParamName);
    }

    [Fact]
    public void Null_options_throw_naming_them()
    {
        Assert.Equal("options", Assert.Throws<ArgumentNullException>(() => new ExactMatchCache<int>(null!)).ParamName);
    }

    [Fact]
    public void The_bounds_are_inclusive()
    {
        Assert.Equal(0, new ExactMatchCache<int>(new ExactMatchCacheOptions<int> { MaxSize = 0 }).MaxSize);
        Assert.Equal(TimeSpan.FromTicks(1), new ExactMatchCache<int>(new ExactMatchCacheOptions<int> { Ttl = TimeSpan.FromTicks(1) }).Ttl);
    }
}
