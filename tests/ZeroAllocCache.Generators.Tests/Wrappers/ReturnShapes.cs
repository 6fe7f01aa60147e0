namespace ZeroAllocCache.Generators.Tests.Wrappers;

/// <summary>A <see cref="Task{TResult}"/> method, with every attribute property left to convention.</summary>
internal sealed partial class TaskBot
{
    private readonly ExactMatchCache<string> _answers = new();

    public int Calls { get; private set; }

    [CachedLlmCall]
    public partial Task<string> AskAsync(string prompt, CancellationToken cancellationToken);

    private async Task<string> AskCoreAsync(string prompt, CancellationToken cancellationToken)
    {
        Calls++;
        await Task.Yield();
        return "answer to " + prompt;
    }
}

/// <summary>A synchronous method: look up, else compute and store.</summary>
internal sealed partial class SyncBot
{
    private ExactMatchCache<int> Cache { get; } = new();

    public int Calls { get; private set; }

    [CachedLlmCall]
    public partial int Classify(string text, [NotCacheKey] int attempt);

    private int ClassifyCore(string text, int attempt)
    {
        Calls++;
        return text.Length * 10 + attempt;
    }
}

/// <summary>A static method with a static cache.</summary>
internal static partial class StaticBot
{
    private static readonly ExactMatchCache<string> s_cache = new();
    private static int s_calls;

    public static int Calls => Volatile.Read(ref s_calls);

    [CachedLlmCall]
    public static partial ValueTask<string> EchoAsync(string text);

    private static ValueTask<string> EchoCoreAsync(string text)
    {
        Interlocked.Increment(ref s_calls);
        return new ValueTask<string>(text + "!");
    }
}

/// <summary>A generic type nested in another: the key struct is nested with them.</summary>
internal static partial class Outer
{
    internal sealed partial class Bot<TAnswer>(Func<string, TAnswer> model)
        where TAnswer : notnull
    {
        private readonly ExactMatchCache<TAnswer> _cache = new();

        public int Calls { get; private set; }

        [CachedLlmCall(KeyVersion = "prompt-2")]
        public partial ValueTask<TAnswer> AskAsync(string prompt, Tone tone);

        private ValueTask<TAnswer> AskCoreAsync(string prompt, Tone tone)
        {
            Calls++;
            return new ValueTask<TAnswer>(model(prompt + "/" + tone));
        }
    }
}
