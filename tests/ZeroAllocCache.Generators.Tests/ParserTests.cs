using System.Reflection;

using Microsoft.CodeAnalysis;

using ZeroAllocCache.Generators.Model;
using ZeroAllocCache.Generators.Tests.Infrastructure;

namespace ZeroAllocCache.Generators.Tests;

/// <summary>What the parser reads from a method: conventions, parameter roles and the identity of its keys.</summary>
public class ParserTests
{
    [Theory]
    [InlineData("AskAsync", "AskCoreAsync")]
    [InlineData("Ask", "AskCore")]
    [InlineData("Async", "CoreAsync")]
    [InlineData("Summarize", "SummarizeCore")]
    [InlineData("AsyncSummary", "AsyncSummaryCore")]
    public void The_conventional_implementation_inserts_Core_before_an_Async_suffix(string method, string implementation)
    {
        Assert.Equal(implementation, Parser.DefaultImplementationName(method));
    }

    [Fact]
    public void Parameters_are_kept_in_declaration_order_with_their_roles()
    {
        CachedMethodModel model = ParseSingle("""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string prompt, [NotCacheKey] object log, int tokens, CancellationToken cancellationToken);

                private ValueTask<string> AskCoreAsync(string prompt, object log, int tokens, CancellationToken cancellationToken) => new(prompt);
            }
            """);

        Assert.Equal(["prompt", "log", "tokens", "cancellationToken"], model.Parameters.Select(p => p.Name));
        Assert.Equal(
            [ParameterRole.Key, ParameterRole.NotKey, ParameterRole.Key, ParameterRole.CancellationToken],
            model.Parameters.Select(p => p.Role));
    }

    [Fact]
    public void Key_fields_are_the_unmarked_key_parameters_then_the_VariesPerCall_ones_each_in_declaration_order()
    {
        CachedMethodModel model = ParseSingle("""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync([VariesPerCall] string question, string system, [NotCacheKey] object log,
                    [VariesPerCall] string[] history, int tokens, CancellationToken cancellationToken);

                private ValueTask<string> AskCoreAsync(string question, string system, object log, string[] history, int tokens, CancellationToken cancellationToken) => new("");
            }
            """);

        Assert.Equal(["system", "tokens", "question", "history"], model.KeyFields.Select(p => p.Name));
    }

    [Fact]
    public void Without_VariesPerCall_the_key_fields_keep_declaration_order_whatever_the_names()
    {
        CachedMethodModel model = ParseSingle("""
            public partial class Bot
            {
                private readonly ExactMatchCache<string> _cache = new();

                [CachedLlmCall]
                public partial ValueTask<string> AskAsync(string userMessage, string systemPrompt, string model, float temperature);

                private ValueTask<string> AskCoreAsync(string userMessage, string systemPrompt, string model, float temperature) => new("");
            }
            """);

        Assert.Equal(["userMessage", "systemPrompt", "model", "temperature"], model.KeyFields.Select(p => p.Name));
    }

    [Fact]
    public void The_identity_names_namespace_types_method_and_key_parameter_types_only()
    {
        CachedMethodModel model = ParseSingle("""
            namespace Contoso.Support
            {
                public partial class Outer
                {
                    public partial class Bot<T>
                    {
                        private readonly ExactMatchCache<string> _cache = new();

                        [CachedLlmCall(KeyVersion = "v3")]
                        public partial ValueTask<string> AskAsync(string? prompt, int? tokens, [NotCacheKey] object log, CancellationToken cancellationToken);

                        private ValueTask<string> AskCoreAsync(string? prompt, int? tokens, object log, CancellationToken cancellationToken) => new("");
                    }
                }
            }
            """);

        Assert.Equal("Contoso.Support.Outer.Bot<T>.AskAsync(string, int?)", model.Identity);
        Assert.Equal("v3", model.KeyVersion);
        Assert.Equal("Contoso.Support", model.Namespace);
        Assert.Equal([new ContainingTypeModel("class", "Outer"), new ContainingTypeModel("class", "Bot<T>")], model.ContainingTypes);
    }

    [Fact]
    public void Every_descriptor_is_listed_in_the_release_tracking_file_and_the_documentation()
    {
        string unshipped = File.ReadAllText(RepositoryFile("generators", "ZeroAllocCache.Generators", "AnalyzerReleases.Unshipped.md"));
        string documentation = File.ReadAllText(RepositoryFile("docs", "generator.md"));
        DiagnosticDescriptor[] descriptors = [.. typeof(DiagnosticDescriptors)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(field => (DiagnosticDescriptor)field.GetValue(null)!)];

        Assert.Equal(17, descriptors.Length);
        Assert.Equal(descriptors.Length, descriptors.Select(d => d.Id).Distinct().Count());
        foreach (DiagnosticDescriptor descriptor in descriptors)
        {
            Assert.Equal(DiagnosticSeverity.Error, descriptor.DefaultSeverity);
            Assert.Contains($"{descriptor.Id} | {descriptor.Category} | Error |", unshipped, StringComparison.Ordinal);
            Assert.Contains($"| {descriptor.Id} |", documentation, StringComparison.Ordinal);
        }
    }

    private static CachedMethodModel ParseSingle(string source)
    {
        GeneratorRun run = GeneratorHarness.Run(source).AssertCompilesCleanly();
        return (CachedMethodModel)Assert.Single(run.Result.TrackedSteps[TrackingNames.Methods].SelectMany(s => s.Outputs)).Value;
    }

    private static string RepositoryFile(params string[] parts)
    {
        DirectoryInfo? directory = new(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ZeroAllocCache.sln")))
        {
            directory = directory.Parent;
        }

        Assert.NotNull(directory);
        return Path.Combine([directory.FullName, .. parts]);
    }
}
