namespace ZeroAllocCache.Generators.Tests.Wrappers;

/// <summary>A bot serving several tenants from one cache: the tenant's id picks the partition.</summary>
internal sealed partial class TenantBot
{
    public TenantBot(ExactMatchCache<string>? cache = null) => Cache = cache ?? new ExactMatchCache<string>();

    public ExactMatchCache<string> Cache { get; }

    public int Calls { get; private set; }

    [CachedLlmCall]
    public partial ValueTask<string> AskAsync([CachePartition] string tenant, string prompt, CancellationToken cancellationToken = default);

    [CachedLlmCall(Implementation = nameof(AskCoreAsync))]
    public partial string Ask(string prompt, [CachePartition] string tenant);

    private ValueTask<string> AskCoreAsync(string tenant, string prompt, CancellationToken cancellationToken)
    {
        Calls++;
        return new ValueTask<string>($"{tenant}: {prompt} #{Calls}");
    }

    private string AskCoreAsync(string prompt, string tenant)
    {
        Calls++;
        return $"{tenant}: {prompt} #{Calls}";
    }
}
