using System.Reflection;

using ZeroAllocCache.Generators.Tests.Infrastructure;

namespace ZeroAllocCache.Generators.Tests;

/// <summary>
/// Names the generator makes up (files, fields, locals) never collide with each other or with the user's names.
/// </summary>
public class GeneratedNameTests
{
    // Every name the generated code also uses, keywords, tuple member names and non-ASCII names.
    private const string ExoticSource = """
        namespace Names;

        public static partial class Bot
        {
            public static ExactMatchCache<string> Cache = new();
            public static int Calls;

            [CachedLlmCall(Cache = nameof(Cache))]
            public static partial ValueTask<string> AskAsync(
                string prompt, string _prompt, string __prompt, string @class, string café, string 変数,
                string key, string value, string state, string writer, string Identity, string KeyVersion,
                string Item1, string Rest, string cacheKey, string _key, string cancellationToken, CancellationToken token);

            private static ValueTask<string> AskCoreAsync(
                string prompt, string _prompt, string __prompt, string @class, string café, string 変数,
                string key, string value, string state, string writer, string Identity, string KeyVersion,
                string Item1, string Rest, string cacheKey, string _key, string cancellationToken, CancellationToken token)
            {
                Calls++;
                return new ValueTask<string>(string.Join("|", prompt, _prompt, __prompt, @class, café, 変数, key, value, state,
                    writer, Identity, KeyVersion, Item1, Rest, cacheKey, _key, cancellationToken));
            }
        }
        """;

    private const int KeyParameterCount = 17;

    [Fact]
    public void Parameters_named_like_the_generated_members_compile_without_a_warning()
    {
        GeneratorHarness.Run(ExoticSource).AssertCompilesCleanly();
    }

    [Fact]
    public async Task Every_parameter_with_a_colliding_name_is_part_of_the_key()
    {
        using LoadedAssembly build = LoadedAssembly.Load(LoadedAssembly.Emit(GeneratorHarness.Run(ExoticSource)));
        Type bot = build.Assembly.GetType("Names.Bot", throwOnError: true)!;
        MethodInfo ask = bot.GetMethod("AskAsync")!;
        string[] baseline = [.. Enumerable.Range(0, KeyParameterCount).Select(i => "v" + i)];

        string first = await Ask(baseline);
        Assert.Equal(string.Join("|", baseline), first);
        for (int changed = 0; changed < KeyParameterCount; changed++)
        {
            string[] arguments = (string[])baseline.Clone();
            arguments[changed] = "changed";
            Assert.Equal(string.Join("|", arguments), await Ask(arguments));
        }

        Assert.Equal(1 + KeyParameterCount, (int)bot.GetField("Calls")!.GetValue(null)!);
        Assert.Equal(string.Join("|", baseline), await Ask(baseline));
        Assert.Equal(1 + KeyParameterCount, (int)bot.GetField("Calls")!.GetValue(null)!);

        async Task<string> Ask(string[] arguments) =>
            await (ValueTask<string>)ask.Invoke(null, [.. arguments.Cast<object>(), CancellationToken.None])!;
    }

    [Fact]
    public void Overloads_beside_a_method_named_like_an_overload_get_distinct_files()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            namespace Hints;

            public partial class Translator
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> Translate(string text);

                [CachedLlmCall]
                public partial ValueTask<string> Translate(string text, string language);

                [CachedLlmCall]
                public partial ValueTask<string> Translate2(string text);

                private ValueTask<string> TranslateCore(string text) => new(text);
                private ValueTask<string> TranslateCore(string text, string language) => new(text);
                private ValueTask<string> Translate2Core(string text) => new(text);
            }
            """).AssertCompilesCleanly();

        Assert.Equal(3, run.Sources.Count);
        Assert.Equal(3, run.Sources.Keys.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void A_generic_type_beside_a_class_named_like_its_metadata_name_gets_distinct_files()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            namespace Hints;

            public partial class Foo<T>
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string text);

                private ValueTask<string> AskCoreAsync(string text) => new(text);
            }

            public partial class Foo_1
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string text);

                private ValueTask<string> AskCoreAsync(string text) => new(text);
            }
            """).AssertCompilesCleanly();

        Assert.Equal(2, run.Sources.Count);
    }

    [Fact]
    public void Methods_whose_names_differ_only_in_case_get_distinct_files()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> Ask(string text);

                [CachedLlmCall]
                public partial ValueTask<string> ask(string text);

                private ValueTask<string> AskCore(string text) => new(text);
                private ValueTask<string> askCore(string text) => new(text);
            }
            """).AssertCompilesCleanly();

        Assert.Equal(2, run.Sources.Keys.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }
}
