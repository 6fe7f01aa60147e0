using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace ZeroAllocCache.Tests;

public class CacheKeyTests
{
    [Fact]
    public void A_key_is_exactly_32_bytes()
    {
        Assert.Equal(32, Unsafe.SizeOf<CacheKey>());
        Assert.Equal(32, CacheKey.SizeInBytes);
    }

    [Fact]
    public void Equal_fields_give_equal_keys()
    {
        CacheKey first = CacheKey.Create("hello", "be brief", "gpt-4o", 0.2f, 512);
        CacheKey second = CacheKey.Create("hello", "be brief", "gpt-4o", 0.2f, 512);

        Assert.Equal(first, second);
        Assert.True(first == second);
        Assert.False(first != second);
        Assert.True(first.Equals((object)second));
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Fact]
    public void The_key_is_the_SHA256_of_the_documented_encoding()
    {
        CacheKey actual = CacheKey.Create("What is LRU?", "You are terse.", "gpt-4o", 0.2f, 512);
        CacheKey expected = ReferenceEncoding.ChatRequestKey("What is LRU?", "You are terse.", "gpt-4o", 0.2f, 512);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ToString_is_64_lowercase_hex_characters_of_the_digest()
    {
        byte[] digest = SHA256.HashData("anything"u8);
        CacheKey key = CacheKey.FromBytes(digest);

        string text = key.ToString();

        Assert.Equal(64, text.Length);
        Assert.Equal(Convert.ToHexStringLower(digest), text);
    }

    [Fact]
    public void CopyTo_and_FromBytes_round_trip_the_digest()
    {
        CacheKey key = CacheKey.Create("q", "s", "m", 1f, 2);
        byte[] bytes = new byte[32];

        key.CopyTo(bytes);
        CacheKey restored = CacheKey.FromBytes(bytes);

        Assert.Equal(key, restored);
        Assert.Equal(key.ToString(), Convert.ToHexStringLower(bytes));
    }

    [Fact]
    public void TryCopyTo_refuses_a_short_destination_and_writes_nothing()
    {
        CacheKey key = CacheKey.Create("q", "s", "m", 1f, 2);
        byte[] destination = new byte[31];

        Assert.False(key.TryCopyTo(destination));
        Assert.All(destination, b => Assert.Equal(0, b));
    }

    [Fact]
    public void CopyTo_a_short_destination_throws_naming_the_argument()
    {
        CacheKey key = CacheKey.Create("q", "s", "m", 1f, 2);

        ArgumentException error = Assert.Throws<ArgumentException>(() => key.CopyTo(new byte[16]));
        Assert.Equal("destination", error.ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void FromBytes_of_the_wrong_length_throws_naming_the_argument(int length)
    {
        ArgumentException error = Assert.Throws<ArgumentException>(() => CacheKey.FromBytes(new byte[length]));
        Assert.Equal("digest", error.ParamName);
    }

    [Theory]
    [InlineData(null, "s", "m", "userMessage")]
    [InlineData("u", null, "m", "systemPrompt")]
    [InlineData("u", "s", null, "model")]
    public void Create_with_a_null_string_throws_naming_it(string? user, string? system, string? model, string parameter)
    {
        ArgumentNullException error = Assert.Throws<ArgumentNullException>(
            () => CacheKey.Create(user!, system!, model!, 0f, 1));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void The_default_key_equals_the_all_zero_digest()
    {
        Assert.Equal(default, CacheKey.FromBytes(new byte[32]));
        Assert.Equal(new string('0', 64), default(CacheKey).ToString());
    }
}
