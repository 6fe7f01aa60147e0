using ZeroAllocCache.Generators.Tests.Infrastructure;
using ZeroAllocCache.Generators.Tests.Wrappers;

namespace ZeroAllocCache.Generators.Tests;

/// <summary><c>[CachePartition]</c>: the argument of one string parameter picks the partition a call is cached in.</summary>
public class PartitionParameterTests
{
    [Fact]
    public async Task Two_tenants_asking_the_same_prompt_get_their_own_answers()
    {
        TenantBot bot = new();

        string a = await bot.AskAsync("acme", "How do I reset my password?");
        string b = await bot.AskAsync("globex", "How do I reset my password?");
        string aAgain = await bot.AskAsync("acme", "How do I reset my password?");

        Assert.Equal("acme: How do I reset my password? #1", a);
        Assert.Equal("globex: How do I reset my password? #2", b);
        Assert.Equal(a, aAgain);
        Assert.Equal(2, bot.Calls);
        Assert.Equal(1, bot.Cache.Partition("acme").Count);
        Assert.Equal(1, bot.Cache.Partition("globex").Count);
        Assert.Equal(0, bot.Cache.Stats.Size - 2);
    }

    [Fact]
    public void A_synchronous_method_is_partitioned_too()
    {
        TenantBot bot = new();

        bot.Ask("q", "acme");
        bot.Ask("q", "globex");
        bot.Ask("q", "acme");

        Assert.Equal(2, bot.Calls);
    }

    [Fact]
    public async Task The_invalidation_helper_takes_the_partition_and_removes_only_its_entry()
    {
        TenantBot bot = new();
        await bot.AskAsync("acme", "q");
        await bot.AskAsync("globex", "q");

        Assert.True(bot.InvalidateAskAsync("acme", "q"));
        Assert.False(bot.InvalidateAskAsync("acme", "q"));

        Assert.Equal(0, bot.Cache.Partition("acme").Count);
        Assert.Equal(1, bot.Cache.Partition("globex").Count);
    }

    [Fact]
    public async Task A_null_or_empty_tenant_is_an_ArgumentException_naming_the_parameter_and_nothing_is_called()
    {
        TenantBot bot = new();

        Assert.Equal("tenant", (await Assert.ThrowsAsync<ArgumentNullException>(async () => await bot.AskAsync(null!, "q"))).ParamName);
        Assert.Equal("tenant", (await Assert.ThrowsAsync<ArgumentException>(async () => await bot.AskAsync("", "q"))).ParamName);
        Assert.Equal("tenant", Assert.Throws<ArgumentException>(() => bot.Ask("q", "")).ParamName);
        Assert.Equal(0, bot.Calls);
        Assert.Equal(0, bot.Cache.Count);
    }

    [Fact]
    public void The_partition_is_not_part_of_the_key()
    {
        GeneratorRun run = DiagnosticAssert.ReportsNothing("""
            using System.Threading.Tasks;
            using ZeroAllocCache;

            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync([CachePartition] string tenant, string prompt);

                private ValueTask<string> AskCoreAsync(string tenant, string prompt) => new(prompt);
            }
            """);

        string source = run.SingleSource;
        Assert.Contains("public AskAsyncCacheKey(string prompt)", source, StringComparison.Ordinal);
        Assert.Contains("this._cache.Partition(tenant)", source, StringComparison.Ordinal);
        Assert.Contains("global::System.ArgumentException.ThrowIfNullOrEmpty(tenant);", source, StringComparison.Ordinal);
    }

    [Fact]
    public void ZAC0015_is_reported_for_two_partition_parameters()
    {
        DiagnosticAssert.ReportsSingle("ZAC0015", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync([CachePartition] string tenant, [[|CachePartition|]] string region, string prompt);

                private ValueTask<string> AskCoreAsync(string tenant, string region, string prompt) => new(prompt);
            }
            """, "AskAsync", "tenant", "region");
    }

    [Fact]
    public void ZAC0016_is_reported_for_a_partition_parameter_that_is_not_a_string()
    {
        DiagnosticAssert.ReportsSingle("ZAC0016", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync([CachePartition] [|int|] tenant, string prompt);

                private ValueTask<string> AskCoreAsync(int tenant, string prompt) => new(prompt);
            }
            """, "tenant", "AskAsync", "int");
    }

    [Fact]
    public void ZAC0017_is_reported_for_a_partition_parameter_also_marked_NotCacheKey()
    {
        DiagnosticAssert.ReportsSingle("ZAC0017", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync([NotCacheKey, [|CachePartition|]] string tenant, string prompt);

                private ValueTask<string> AskCoreAsync(string tenant, string prompt) => new(prompt);
            }
            """, "tenant", "AskAsync", "[NotCacheKey]");
    }

    [Fact]
    public void ZAC0014_is_reported_for_VariesPerCall_on_the_partition_parameter()
    {
        DiagnosticAssert.ReportsSingle("ZAC0014", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync([CachePartition, [|VariesPerCall|]] string tenant, string prompt);

                private ValueTask<string> AskCoreAsync(string tenant, string prompt) => new(prompt);
            }
            """, "tenant", "AskAsync", "[CachePartition]");
    }
}
