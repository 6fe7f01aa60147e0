namespace ZeroAllocCache.Generators.Tests.Wrappers;

/// <summary>A generic containing type: every closed type shares the cache it is given, never its entries.</summary>
internal sealed partial class GenericBot<T>(ExactMatchCache<string> cache)
{
    private readonly ExactMatchCache<string> _cache = cache;

    public int Calls { get; private set; }

    [CachedLlmCall]
    public partial ValueTask<string> AskAsync(string question);

    private ValueTask<string> AskCoreAsync(string question)
    {
        Calls++;
        return new ValueTask<string>($"{typeof(T).Name} answers {question}");
    }
}

/// <summary>A generic outer type around a non-generic containing type.</summary>
internal static partial class GenericOuter<TOuter>
{
    internal sealed partial class NestedBot(ExactMatchCache<string> cache)
    {
        private readonly ExactMatchCache<string> _cache = cache;

        [CachedLlmCall]
        public partial ValueTask<string> AskAsync(string question);

        public int Calls { get; private set; }

        private ValueTask<string> AskCoreAsync(string question)
        {
            Calls++;
            return new ValueTask<string>($"{typeof(TOuter).Name} answers {question}");
        }
    }
}
