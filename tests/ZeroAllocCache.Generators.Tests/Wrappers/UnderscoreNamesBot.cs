namespace ZeroAllocCache.Generators.Tests.Wrappers;

/// <summary>Parameters whose names are each other's with a leading underscore.</summary>
internal sealed partial class UnderscoreNamesBot
{
    private readonly ExactMatchCache<string> _cache = new();

    public int Calls { get; private set; }

    [CachedLlmCall]
    public partial ValueTask<string> AskAsync(string prompt, string _prompt, string __prompt);

    private ValueTask<string> AskCoreAsync(string prompt, string _prompt, string __prompt)
    {
        Calls++;
        return new ValueTask<string>($"{prompt}|{_prompt}|{__prompt}");
    }
}
