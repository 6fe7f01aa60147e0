using ZeroAllocCache.Generators.Tests.Infrastructure;

namespace ZeroAllocCache.Generators.Tests;

/// <summary>
/// Every diagnostic of the generator: reported as an error on the offending syntax, with a message naming the symbol,
/// and not reported once the code is fixed. <c>[|...|]</c> marks where each is expected.
/// </summary>
public class DiagnosticTests
{
    [Fact]
    public void ZAC0001_is_reported_on_the_name_of_a_method_that_is_not_partial()
    {
        DiagnosticAssert.ReportsSingle("ZAC0001", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public ValueTask<string> [|AskAsync|](string prompt) => AskCoreAsync(prompt);

                private ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """, "AskAsync");
    }

    [Fact]
    public void ZAC0001_is_reported_when_the_user_wrote_the_implementation_part()
    {
        DiagnosticAssert.ReportsSingle("ZAC0001", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> [|AskAsync|](string prompt);

                public partial ValueTask<string> AskAsync(string prompt) => AskCoreAsync(prompt);

                private ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """, "AskAsync");
    }

    [Fact]
    public void ZAC0001_is_not_reported_for_a_partial_declaration_without_a_body()
    {
        DiagnosticAssert.ReportsNothing(ValidBot);
    }

    [Fact]
    public void ZAC0002_is_reported_on_the_name_of_a_containing_type_that_is_not_partial()
    {
        DiagnosticAssert.ReportsSingle("ZAC0002", """
            public class [|Outer|]
            {
                public partial class Bot
                {
                    private readonly ExactMatchCache<string> _cache = new();

                    [CachedLlmCall]
                    public partial ValueTask<string> AskAsync(string prompt);

                    private ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
                }
            }
            """, "Outer", "AskAsync");
    }

    [Fact]
    public void ZAC0002_is_not_reported_when_every_containing_type_is_partial()
    {
        DiagnosticAssert.ReportsNothing("""
            public partial class Outer
            {
                public partial class Bot
                {
                    private readonly ExactMatchCache<string> _cache = new();

                    [CachedLlmCall]
                    public partial ValueTask<string> AskAsync(string prompt);

                    private ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
                }
            }
            """);
    }

    [Theory]
    [InlineData("Task")]
    [InlineData("ValueTask")]
    [InlineData("IAsyncEnumerable<string>")]
    [InlineData("ReadOnlySpan<char>")]
    public void ZAC0003_is_reported_on_an_unsupported_return_type(string returnType)
    {
        DiagnosticAssert.ReportsSingle("ZAC0003", $$"""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial [|{{returnType}}|] AskAsync(string prompt);

                private {{returnType}} AskCoreAsync(string prompt) => default;
            }
            """, "AskAsync", returnType);
    }

    [Fact]
    public void ZAC0003_is_reported_on_a_void_return_type()
    {
        DiagnosticAssert.ReportsSingle("ZAC0003", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial [|void|] Ask(string prompt);

                private void AskCore(string prompt) { }
            }
            """, "Ask", "void");
    }

    [Theory]
    [InlineData("ValueTask<string>", "new(prompt)")]
    [InlineData("Task<string>", "Task.FromResult(prompt)")]
    [InlineData("string", "prompt")]
    public void ZAC0003_is_not_reported_for_ValueTask_Task_or_a_plain_result(string returnType, string body)
    {
        string name = returnType == "string" ? "Ask" : "AskAsync";
        DiagnosticAssert.ReportsNothing($$"""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial {{returnType}} {{name}}(string prompt);

                private {{returnType}} {{name}}Core{{(name == "Ask" ? "" : "Async")}}(string prompt) => {{body}};
            }
            """.Replace("AskAsyncCoreAsync", "AskCoreAsync", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("object")]
    [InlineData("List<string>")]
    [InlineData("int[]")]
    [InlineData("Uri")]
    [InlineData("IReadOnlyList<int>")]
    [InlineData("ReadOnlyMemory<byte>")]
    public void ZAC0004_is_reported_on_the_type_of_an_unsupported_key_parameter(string type)
    {
        Microsoft.CodeAnalysis.Diagnostic diagnostic = DiagnosticAssert.ReportsSingle("ZAC0004", $$"""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string prompt, [|{{type}}|] context);

                private ValueTask<string> AskCoreAsync(string prompt, {{type}} context) => new(prompt);
            }
            """, "context", "AskAsync", type);

        // The message lists what is supported, and the way out.
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("IReadOnlyList<string>", message, StringComparison.Ordinal);
        Assert.Contains("ICacheKeySource", message, StringComparison.Ordinal);
        Assert.Contains("[NotCacheKey]", message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZAC0004_is_reported_for_a_ref_struct_argument_that_an_asynchronous_miss_would_have_to_carry()
    {
        DiagnosticAssert.ReportsSingle("ZAC0004", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string prompt, [NotCacheKey] [|Span<byte>|] scratch);

                private ValueTask<string> AskCoreAsync(string prompt, Span<byte> scratch) => new(prompt);
            }
            """, "scratch", "AskAsync");
    }

    [Fact]
    public void ZAC0004_is_not_reported_for_an_unsupported_type_marked_NotCacheKey()
    {
        DiagnosticAssert.ReportsNothing("""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string prompt, [NotCacheKey] object context);

                private ValueTask<string> AskCoreAsync(string prompt, object context) => new(prompt);
            }
            """);
    }

    [Theory]
    [InlineData("ref", "ref ")]
    [InlineData("out", "out ")]
    [InlineData("in", "in ")]
    [InlineData("ref readonly", "ref readonly ")]
    public void ZAC0005_is_reported_on_the_modifier_of_a_parameter_passed_by_reference(string modifier, string declaration)
    {
        DiagnosticAssert.ReportsSingle("ZAC0005", $$"""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string prompt, [|{{modifier}}|] int tokens);

                private ValueTask<string> AskCoreAsync(string prompt, {{declaration}}int tokens) => new(prompt);
            }
            """, "tokens", "AskAsync", modifier);
    }

    [Fact]
    public void ZAC0005_is_not_reported_for_parameters_passed_by_value()
    {
        DiagnosticAssert.ReportsNothing("""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string prompt, int tokens);

                private ValueTask<string> AskCoreAsync(string prompt, int tokens) => new(prompt);
            }
            """);
    }

    [Fact]
    public void ZAC0006_is_reported_on_the_type_parameters_of_a_generic_method()
    {
        DiagnosticAssert.ReportsSingle("ZAC0006", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync[|<T>|](string prompt);

                private ValueTask<string> AskCoreAsync<T>(string prompt) => new(prompt);
            }
            """, "AskAsync");
    }

    [Fact]
    public void ZAC0006_is_not_reported_for_a_method_of_a_generic_type()
    {
        DiagnosticAssert.ReportsNothing("""
            public partial class Bot<T>
                where T : notnull
            {
                private readonly ExactMatchCache<T> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<T> AskAsync(string prompt);

                private ValueTask<T> AskCoreAsync(string prompt) => new(default(T)!);
            }
            """);
    }

    [Fact]
    public void ZAC0007_is_reported_on_a_Cache_name_that_matches_no_field_or_property()
    {
        DiagnosticAssert.ReportsSingle("ZAC0007", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall(Cache = [|"_answers"|])]
                public partial ValueTask<string> AskAsync(string prompt);

                private ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """, "Bot", "'_answers'", "AskAsync");
    }

    [Fact]
    public void ZAC0007_is_reported_on_the_attribute_when_the_type_has_no_cache_of_the_result_type()
    {
        DiagnosticAssert.ReportsSingle("ZAC0007", """
            public partial class Bot
            {
                [[|CachedLlmCall|]]
                public partial ValueTask<string> AskAsync(string prompt);

                private ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """, "Bot", "ExactMatchCache<string>", "AskAsync");
    }

    [Fact]
    public void ZAC0007_is_reported_when_a_static_method_finds_only_an_instance_cache_by_convention()
    {
        DiagnosticAssert.ReportsSingle("ZAC0007", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [[|CachedLlmCall|]]
                public static partial ValueTask<string> AskAsync(string prompt);

                private static ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """, "ExactMatchCache<string>", "static", "AskAsync");
    }

    [Fact]
    public void ZAC0007_is_not_reported_for_a_cache_property_inherited_from_a_base_class()
    {
        DiagnosticAssert.ReportsNothing("""
            public abstract class BotBase
            {
                protected ExactMatchCache<string> Answers { get; } = new();
            }

            public partial class Bot : BotBase
            {
                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string prompt);

                private ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """);
    }

    [Fact]
    public void ZAC0008_is_reported_on_the_attribute_when_two_caches_of_the_result_type_exist()
    {
        DiagnosticAssert.ReportsSingle("ZAC0008", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _answers = new();
                private readonly ExactMatchCache<string> _summaries = new();

                [[|CachedLlmCall|]]
                public partial ValueTask<string> AskAsync(string prompt);

                private ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """, "Bot", "'_answers'", "'_summaries'", "AskAsync");
    }

    [Fact]
    public void ZAC0008_is_not_reported_when_the_attribute_names_one_of_the_caches()
    {
        DiagnosticAssert.ReportsNothing("""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _answers = new();
                private readonly ExactMatchCache<string> _summaries = new();

                [CachedLlmCall(Cache = nameof(_answers))]
                public partial ValueTask<string> AskAsync(string prompt);

                private ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """);
    }

    [Theory]
    [InlineData("ExactMatchCache<int>", "ExactMatchCache<int>")]
    [InlineData("ExactMatchCache<string?>", "ExactMatchCache<string?>")]
    [InlineData("ExactMatchCache<string>?", "ExactMatchCache<string>?")]
    [InlineData("Dictionary<string, string>", "Dictionary<string, string>")]
    public void ZAC0009_is_reported_on_a_named_cache_of_the_wrong_type(string cacheType, string shown)
    {
        DiagnosticAssert.ReportsSingle("ZAC0009", $$"""
            public partial class Bot
            {
                private readonly {{cacheType}} _cache = new();

                [CachedLlmCall(Cache = [|nameof(_cache)|])]
                public partial ValueTask<string> AskAsync(string prompt);

                private ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """, "_cache", shown, "AskAsync", "ExactMatchCache<string>");
    }

    [Fact]
    public void ZAC0009_is_reported_when_the_cache_found_by_convention_differs_in_nullability()
    {
        DiagnosticAssert.ReportsSingle("ZAC0009", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [[|CachedLlmCall|]]
                public partial ValueTask<string?> AskAsync(string prompt);

                private ValueTask<string?> AskCoreAsync(string prompt) => new(prompt);
            }
            """, "_cache", "AskAsync", "ExactMatchCache<string?>");
    }

    [Fact]
    public void ZAC0009_is_not_reported_when_the_cache_holds_the_nullable_result_type()
    {
        DiagnosticAssert.ReportsNothing("""
            public partial class Bot
            {
                private readonly ExactMatchCache<string?> _cache = new();

                [CachedLlmCall(Cache = nameof(_cache))]
                public partial ValueTask<string?> AskAsync(string prompt);

                private ValueTask<string?> AskCoreAsync(string prompt) => new(prompt);
            }
            """);
    }

    [Fact]
    public void ZAC0010_is_reported_when_a_static_method_names_an_instance_cache()
    {
        DiagnosticAssert.ReportsSingle("ZAC0010", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall(Cache = [|nameof(_cache)|])]
                public static partial ValueTask<string> AskAsync(string prompt);

                private static ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """, "AskAsync", "_cache");
    }

    [Fact]
    public void ZAC0010_is_not_reported_when_a_static_method_names_a_static_cache()
    {
        DiagnosticAssert.ReportsNothing("""
            public static partial class Bot
            {
                private static readonly ExactMatchCache<string> s_cache = new();

                [CachedLlmCall(Cache = nameof(s_cache))]
                public static partial ValueTask<string> AskAsync(string prompt);

                private static ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """);
    }

    [Fact]
    public void ZAC0011_is_reported_on_the_attribute_when_the_conventional_implementation_is_missing()
    {
        DiagnosticAssert.ReportsSingle("ZAC0011", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [[|CachedLlmCall|]]
                public partial ValueTask<string> AskAsync(string prompt);

                private ValueTask<string> CallModelAsync(string prompt) => new(prompt);
            }
            """, "Bot", "AskCoreAsync", "AskAsync");
    }

    [Fact]
    public void ZAC0011_is_reported_on_an_Implementation_name_that_matches_no_method()
    {
        DiagnosticAssert.ReportsSingle("ZAC0011", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall(Implementation = [|"CallTheModelAsync"|])]
                public partial ValueTask<string> AskAsync(string prompt);

                private ValueTask<string> CallModelAsync(string prompt) => new(prompt);
            }
            """, "CallTheModelAsync", "AskAsync");
    }

    [Fact]
    public void ZAC0011_is_not_reported_when_the_attribute_names_the_implementation()
    {
        DiagnosticAssert.ReportsNothing("""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall(Implementation = nameof(CallModelAsync))]
                public partial ValueTask<string> AskAsync(string prompt);

                private ValueTask<string> CallModelAsync(string prompt) => new(prompt);
            }
            """);
    }

    [Theory]
    [InlineData("private ValueTask<string> AskCoreAsync(string prompt, int tokens) => new(prompt);")]
    [InlineData("private ValueTask<string> AskCoreAsync(int prompt) => new(\"\");")]
    [InlineData("private Task<string> AskCoreAsync(string prompt) => Task.FromResult(prompt);")]
    [InlineData("private ValueTask<string?> AskCoreAsync(string prompt) => new(prompt);")]
    [InlineData("private ValueTask<string> AskCoreAsync(string? prompt) => new(\"\");")]
    [InlineData("private ValueTask<string> AskCoreAsync(ref string prompt) => new(prompt);")]
    [InlineData("private ValueTask<string> AskCoreAsync<T>(string prompt) => new(prompt);")]
    public void ZAC0012_is_reported_on_the_attribute_when_the_implementation_has_another_signature(string implementation)
    {
        DiagnosticAssert.ReportsSingle("ZAC0012", $$"""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [[|CachedLlmCall|]]
                public partial ValueTask<string> AskAsync(string prompt);

                {{implementation}}
            }
            """, "AskCoreAsync", "AskAsync", "ValueTask<string> AskCoreAsync(string)");
    }

    [Fact]
    public void ZAC0012_is_reported_when_a_static_method_names_an_instance_implementation()
    {
        DiagnosticAssert.ReportsSingle("ZAC0012", """
            public partial class Bot
            {
                private static readonly ExactMatchCache<string> s_cache = new();

                [CachedLlmCall(Implementation = [|nameof(CallModelAsync)|])]
                public static partial ValueTask<string> AskAsync(string prompt);

                private ValueTask<string> CallModelAsync(string prompt) => new(prompt);
            }
            """, "CallModelAsync", "AskAsync", "static ValueTask<string> CallModelAsync(string)");
    }

    [Fact]
    public void ZAC0012_is_not_reported_when_one_overload_of_the_implementation_matches()
    {
        DiagnosticAssert.ReportsNothing("""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string prompt);

                private ValueTask<string> AskCoreAsync(int prompt) => new("");

                private static ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """);
    }

    [Fact]
    public void ZAC0013_is_reported_on_an_interface()
    {
        DiagnosticAssert.ReportsSingle("ZAC0013", """
            public partial interface [|IBot|]
            {
                private static readonly ExactMatchCache<string> s_cache = new();

                [CachedLlmCall]
                public static partial ValueTask<string> AskAsync(string prompt);

                private static ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """, "IBot", "an interface");
    }

    [Fact]
    public void ZAC0013_is_reported_on_a_ref_struct()
    {
        DiagnosticAssert.ReportsSingle("ZAC0013", """
            public ref partial struct [|Bot|]
            {
                private static readonly ExactMatchCache<string> s_cache = new();

                [CachedLlmCall]
                public static partial ValueTask<string> AskAsync(string prompt);

                private static ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """, "Bot", "a ref struct");
    }

    [Theory]
    [InlineData("partial struct")]
    [InlineData("readonly partial struct")]
    [InlineData("partial record")]
    [InlineData("partial record struct")]
    [InlineData("sealed partial class")]
    public void ZAC0013_is_not_reported_on_classes_structs_and_records(string declaration)
    {
        DiagnosticAssert.ReportsNothing($$"""
            public {{declaration}} Bot
            {
                private static readonly ExactMatchCache<string> s_cache = new();

                [CachedLlmCall]
                public readonly partial ValueTask<string> AskAsync(string prompt);

                private readonly ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
            }
            """.Replace("readonly partial ValueTask", declaration.Contains("struct", StringComparison.Ordinal) ? "readonly partial ValueTask" : "partial ValueTask", StringComparison.Ordinal)
               .Replace("private readonly ValueTask", declaration.Contains("struct", StringComparison.Ordinal) ? "private readonly ValueTask" : "private ValueTask", StringComparison.Ordinal));
    }

    [Fact]
    public void A_method_with_several_problems_reports_each_and_generates_nothing()
    {
        (string source, _) = Markup.Parse("""
            public class Bot
            {
                [CachedLlmCall]
                public ValueTask<string> [|AskAsync|]<T>(ref int tokens, object context) => default;
            }
            """);

        GeneratorRun run = GeneratorHarness.Run(source);

        Assert.Equal(
            ["ZAC0001", "ZAC0002", "ZAC0004", "ZAC0005", "ZAC0006", "ZAC0007"],
            run.GeneratorDiagnostics.Select(d => d.Id).Order());
        Assert.Empty(run.Sources);
    }

    [Fact]
    public void Nothing_is_reported_for_a_parameter_of_an_unknown_type_which_the_compiler_reports()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(NoSuchType prompt);

                private ValueTask<string> AskCoreAsync(NoSuchType prompt) => new("");
            }
            """);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Contains(run.CompilationProblems, d => d.Id == "CS0246");
    }

    private const string ValidBot = """
        public partial class Bot
        {
            private readonly ExactMatchCache<string> _cache = new();

            [CachedLlmCall]
            public partial ValueTask<string> AskAsync(string prompt);

            private ValueTask<string> AskCoreAsync(string prompt) => new(prompt);
        }
        """;
    [Fact]
    public void ZAC0014_is_reported_for_VariesPerCall_on_a_cancellation_token()
    {
        DiagnosticAssert.ReportsSingle("ZAC0014", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string prompt, [[|VariesPerCall|]] CancellationToken cancellationToken);

                private ValueTask<string> AskCoreAsync(string prompt, CancellationToken cancellationToken) => new(prompt);
            }
            """, "cancellationToken", "AskAsync", "a CancellationToken");
    }

    [Fact]
    public void ZAC0014_is_reported_for_VariesPerCall_on_a_NotCacheKey_parameter()
    {
        DiagnosticAssert.ReportsSingle("ZAC0014", """
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string prompt, [NotCacheKey, [|VariesPerCall|]] string requestId);

                private ValueTask<string> AskCoreAsync(string prompt, string requestId) => new(prompt);
            }
            """, "requestId", "AskAsync", "[NotCacheKey]");
    }
}
