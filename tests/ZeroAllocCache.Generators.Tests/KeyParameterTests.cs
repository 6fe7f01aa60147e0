using ZeroAllocCache.Generators.Tests.Wrappers;

namespace ZeroAllocCache.Generators.Tests;

/// <summary>Every supported key parameter type takes part in the key of a generated wrapper.</summary>
public class KeyParameterTests
{
    private static readonly DateTime At = new(2025, 11, 11, 9, 30, 0, DateTimeKind.Utc);

    private static readonly Arguments Baseline = new(
        Text: "text", OptionalText: null, Memory: "memory".AsMemory(), Letter: 'a', Flag: false,
        Int8: 1, UInt8: 2, Int16: 3, UInt16: 4, Int32: 5, UInt32: 6, Int64: 7, UInt64: 8,
        Native: 9, UnsignedNative: 10, Single: 1.5f, Real: 2.5, Money: 3.5m,
        Tone: Tone.Neutral, Id: new Guid("6f9619ff-8b86-d011-b42d-00cf4fc964ff"), At: At, AtOffset: new DateTimeOffset(At), Span: TimeSpan.FromSeconds(1),
        MaybeNumber: null, MaybeTone: null, MaybeAt: null, MaybeMemory: null, MaybeTemplate: null,
        History: ["hello", "hi"], Turns: ["one", "two"], OptionalHistory: null,
        Template: new PromptTemplate("support", 1), Context: null);

    // Each change alters one argument of the baseline.
    private static readonly Dictionary<string, Func<Arguments, Arguments>> Changes = new()
    {
        ["text"] = a => a with { Text = "other text" },
        ["optionalText"] = a => a with { OptionalText = "" },
        ["memory"] = a => a with { Memory = "memorY".AsMemory() },
        ["letter"] = a => a with { Letter = 'b' },
        ["flag"] = a => a with { Flag = true },
        ["int8"] = a => a with { Int8 = -1 },
        ["uint8"] = a => a with { UInt8 = 255 },
        ["int16"] = a => a with { Int16 = -3 },
        ["uint16"] = a => a with { UInt16 = 40000 },
        ["int32"] = a => a with { Int32 = -5 },
        ["uint32"] = a => a with { UInt32 = 60 },
        ["int64"] = a => a with { Int64 = long.MinValue },
        ["uint64"] = a => a with { UInt64 = ulong.MaxValue },
        ["native"] = a => a with { Native = -9 },
        ["unsignedNative"] = a => a with { UnsignedNative = 11 },
        ["single"] = a => a with { Single = 1.25f },
        ["real"] = a => a with { Real = 2.25 },
        ["money"] = a => a with { Money = 3.51m },
        ["tone"] = a => a with { Tone = Tone.Friendly },
        ["id"] = a => a with { Id = Guid.Empty },
        ["at"] = a => a with { At = At.AddTicks(1) },
        ["atOffset"] = a => a with { AtOffset = new DateTimeOffset(At.Ticks, TimeSpan.FromHours(1)) },
        ["span"] = a => a with { Span = TimeSpan.FromSeconds(2) },
        ["maybeNumber"] = a => a with { MaybeNumber = 0 },
        ["maybeTone"] = a => a with { MaybeTone = Tone.Neutral },
        ["maybeAt"] = a => a with { MaybeAt = default(DateTime) },
        ["maybeMemory"] = a => a with { MaybeMemory = ReadOnlyMemory<char>.Empty },
        ["maybeTemplate"] = a => a with { MaybeTemplate = new PromptTemplate("support", 1) },
        ["history"] = a => a with { History = ["hello", "hi", ""] },
        ["turns"] = a => a with { Turns = new List<string> { "one", "TWO" } },
        ["optionalHistory"] = a => a with { OptionalHistory = [] },
        ["template"] = a => a with { Template = new PromptTemplate("support", 2) },
        ["context"] = a => a with { Context = new RetrievedContext("document") },
    };

    public static TheoryData<string> KeyParameters => [.. Changes.Keys];

    [Theory]
    [MemberData(nameof(KeyParameters))]
    public async Task Changing_one_key_argument_misses_the_cache(string parameter)
    {
        var bot = new KeyTypesBot();
        await AskAsync(bot, Baseline);
        await AskAsync(bot, Baseline);
        Assert.Equal(1, bot.Calls);

        await AskAsync(bot, Changes[parameter](Baseline));

        Assert.Equal(2, bot.Calls);
    }

    [Fact]
    public void Every_parameter_of_the_wrapper_is_covered_by_a_change()
    {
        IEnumerable<string> parameters = typeof(KeyTypesBot).GetMethod(nameof(KeyTypesBot.AskAsync))!
            .GetParameters()
            .Select(p => p.Name!);

        Assert.Equal(parameters.Order(), Changes.Keys.Order());
    }

    [Fact]
    public async Task Equal_arguments_in_new_instances_hit_the_cache()
    {
        var bot = new KeyTypesBot();
        await AskAsync(bot, Baseline);

        // Fresh arrays, lists, memory and key sources with the same contents make the same key.
        Arguments copy = Baseline with
        {
            Memory = new string("memory".ToCharArray()).AsMemory(),
            History = ["hello", "hi"],
            Turns = new List<string> { "one", "two" },
            Template = new PromptTemplate("support", 1),
        };
        await AskAsync(bot, copy);

        Assert.Equal(1, bot.Calls);
    }

    private static ValueTask<int> AskAsync(KeyTypesBot bot, Arguments a) => bot.AskAsync(
        a.Text, a.OptionalText, a.Memory, a.Letter, a.Flag,
        a.Int8, a.UInt8, a.Int16, a.UInt16, a.Int32, a.UInt32, a.Int64, a.UInt64,
        a.Native, a.UnsignedNative, a.Single, a.Real, a.Money,
        a.Tone, a.Id, a.At, a.AtOffset, a.Span,
        a.MaybeNumber, a.MaybeTone, a.MaybeAt, a.MaybeMemory, a.MaybeTemplate,
        a.History, a.Turns, a.OptionalHistory,
        a.Template, a.Context);

    private sealed record Arguments(
        string Text, string? OptionalText, ReadOnlyMemory<char> Memory, char Letter, bool Flag,
        sbyte Int8, byte UInt8, short Int16, ushort UInt16, int Int32, uint UInt32, long Int64, ulong UInt64,
        nint Native, nuint UnsignedNative, float Single, double Real, decimal Money,
        Tone Tone, Guid Id, DateTime At, DateTimeOffset AtOffset, TimeSpan Span,
        int? MaybeNumber, Tone? MaybeTone, DateTime? MaybeAt, ReadOnlyMemory<char>? MaybeMemory, PromptTemplate? MaybeTemplate,
        string[] History, IReadOnlyList<string> Turns, string?[]? OptionalHistory,
        PromptTemplate Template, RetrievedContext? Context);
}
