namespace ZeroAllocCache.Generators.Tests.Wrappers;

internal enum Tone : byte
{
    Neutral,
    Friendly,
}

/// <summary>A nested request shape written without boxing.</summary>
internal readonly record struct PromptTemplate(string Name, int Revision) : ICacheKeySource
{
    public void WriteTo(ref CacheKeyWriter writer)
    {
        writer.Write("tests.prompt-template/v1");
        writer.Write(Name);
        writer.Write(Revision);
    }
}

/// <summary>A request shape that is a class, so the argument may be null.</summary>
internal sealed class RetrievedContext(string document) : ICacheKeySource
{
    public void WriteTo(ref CacheKeyWriter writer)
    {
        writer.Write("tests.retrieved-context/v1");
        writer.Write(document);
    }
}

/// <summary>Every supported key parameter type, all in one key.</summary>
internal sealed partial class KeyTypesBot
{
    private readonly ExactMatchCache<int> _cache = new(maxSize: 1024);

    public int Calls { get; private set; }

    [CachedLlmCall]
    public partial ValueTask<int> AskAsync(
        string text, string? optionalText, ReadOnlyMemory<char> memory, char letter, bool flag,
        sbyte int8, byte uint8, short int16, ushort uint16, int int32, uint uint32, long int64, ulong uint64,
        nint native, nuint unsignedNative, float single, double real, decimal money,
        Tone tone, Guid id, DateTime at, DateTimeOffset atOffset, TimeSpan span,
        int? maybeNumber, Tone? maybeTone, DateTime? maybeAt, ReadOnlyMemory<char>? maybeMemory, PromptTemplate? maybeTemplate,
        string[] history, IReadOnlyList<string> turns, string?[]? optionalHistory,
        PromptTemplate template, RetrievedContext? context);

    private ValueTask<int> AskCoreAsync(
        string text, string? optionalText, ReadOnlyMemory<char> memory, char letter, bool flag,
        sbyte int8, byte uint8, short int16, ushort uint16, int int32, uint uint32, long int64, ulong uint64,
        nint native, nuint unsignedNative, float single, double real, decimal money,
        Tone tone, Guid id, DateTime at, DateTimeOffset atOffset, TimeSpan span,
        int? maybeNumber, Tone? maybeTone, DateTime? maybeAt, ReadOnlyMemory<char>? maybeMemory, PromptTemplate? maybeTemplate,
        string[] history, IReadOnlyList<string> turns, string?[]? optionalHistory,
        PromptTemplate template, RetrievedContext? context) => new(++Calls);
}
