using ZeroAllocCache.Generators.Tests.Wrappers;

namespace ZeroAllocCache.Generators.Tests;

/// <summary>
/// A generated key tells apart every call that can have another answer: closed generic containing types, and
/// parameters whose names the generator's own names could shadow.
/// </summary>
public class GeneratedIdentityTests
{
    [Fact]
    public async Task Two_closed_generic_types_sharing_one_cache_never_share_an_entry()
    {
        ExactMatchCache<string> shared = new();
        GenericBot<int> ints = new(shared);
        GenericBot<string> strings = new(shared);

        string first = await ints.AskAsync("same");
        string second = await strings.AskAsync("same");

        Assert.Equal("Int32 answers same", first);
        Assert.Equal("String answers same", second);
        Assert.Equal(2, shared.Count);
    }

    [Fact]
    public async Task The_same_closed_generic_type_hits_its_own_entry()
    {
        ExactMatchCache<string> shared = new();
        GenericBot<int> one = new(shared);
        GenericBot<int> other = new(shared);

        await one.AskAsync("same");
        await other.AskAsync("same");

        Assert.Equal(1, one.Calls + other.Calls);
    }

    [Fact]
    public async Task Generic_type_arguments_that_are_themselves_generic_are_told_apart()
    {
        ExactMatchCache<string> shared = new();

        await new GenericBot<List<int>>(shared).AskAsync("same");
        await new GenericBot<List<long>>(shared).AskAsync("same");
        await new GenericBot<int[]>(shared).AskAsync("same");
        await new GenericBot<int[,]>(shared).AskAsync("same");

        Assert.Equal(4, shared.Count);
    }

    [Fact]
    public async Task A_nested_type_inside_a_generic_outer_type_keys_by_the_outer_type_argument()
    {
        ExactMatchCache<string> shared = new();

        string first = await new GenericOuter<int>.NestedBot(shared).AskAsync("same");
        string second = await new GenericOuter<string>.NestedBot(shared).AskAsync("same");

        Assert.Equal("Int32 answers same", first);
        Assert.Equal("String answers same", second);
    }

    [Fact]
    public async Task A_generic_hit_allocates_nothing_after_warm_up()
    {
        GenericBot<List<string>> bot = new(new ExactMatchCache<string>());
        await bot.AskAsync("question");
        for (int i = 0; i < 1_000; i++)
        {
            Hit(bot);
        }

        long least = long.MaxValue;
        for (int round = 0; round < 5 && least != 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1_000; i++)
            {
                Hit(bot);
            }

            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, least);
        Assert.Equal(1, bot.Calls);
    }

    [Fact]
    public async Task A_parameter_named_like_another_with_a_leading_underscore_stays_in_the_key()
    {
        UnderscoreNamesBot bot = new();

        string a = await bot.AskAsync("p", "A", "x");
        string b = await bot.AskAsync("p", "B", "x");
        string c = await bot.AskAsync("p", "B", "y");

        Assert.Equal(["p|A|x", "p|B|x", "p|B|y"], [a, b, c]);
        Assert.Equal(3, bot.Calls);
    }

    private static void Hit(GenericBot<List<string>> bot)
    {
        ValueTask<string> hit = bot.AskAsync("question");
        if (!hit.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("Expected a hit.");
        }

        _ = hit.Result;
    }
}
