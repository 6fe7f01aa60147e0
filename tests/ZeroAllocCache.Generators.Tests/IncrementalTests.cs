using System.Collections;
using System.Collections.Immutable;
using System.Reflection;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

using ZeroAllocCache.Generators.Model;
using ZeroAllocCache.Generators.Tests.Infrastructure;

namespace ZeroAllocCache.Generators.Tests;

/// <summary>
/// The pipeline caches: a rerun or an unrelated edit regenerates nothing, and no pipeline value holds a compilation,
/// a symbol or a syntax node.
/// </summary>
public class IncrementalTests
{
    private static readonly string[] TrackedSteps = [TrackingNames.ParseResults, TrackingNames.Methods, TrackingNames.Diagnostics];

    private const string BotSource = """
        namespace App;

        public partial class Bot
        {
            private readonly ExactMatchCache<string> _cache = new();

            [CachedLlmCall]
            public partial ValueTask<string> AskAsync(string prompt, CancellationToken cancellationToken = default);

            private ValueTask<string> AskCoreAsync(string prompt, CancellationToken cancellationToken) => new(prompt);
        }
        """;

    // A method with an error, so that the diagnostics step has something to carry.
    private const string BrokenSource = """
        namespace App;

        public partial class BrokenBot
        {
            private readonly ExactMatchCache<string> _cache = new();

            [CachedLlmCall]
            public partial ValueTask<string> AskAsync(string prompt);
        }
        """;

    private const string UnrelatedSource = """
        namespace App;

        public static class Helpers
        {
            public static int Twice(int value) => value * 2;
        }
        """;

    [Fact]
    public void A_second_run_on_the_same_compilation_is_cached_or_unchanged_at_every_step()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation([BotSource, BrokenSource, UnrelatedSource]);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        GeneratorRunResult first = driver.GetRunResult().Results.Single();

        GeneratorRunResult second = driver.RunGenerators(compilation.Clone()).GetRunResult().Results.Single();

        foreach (string step in TrackedSteps)
        {
            Assert.Equal(OutputValues(first, step), OutputValues(second, step));
            Assert.All(Reasons(second, step), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{step}: {reason}"));
        }

        Assert.All(SourceOutputReasons(second), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.Single(second.GeneratedSources);
        Assert.Single(second.Diagnostics);
    }

    [Fact]
    public void An_edit_in_an_unrelated_file_regenerates_nothing()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation([BotSource, BrokenSource, UnrelatedSource]);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        CSharpCompilation edited = ReplaceText(compilation, "Test2.cs", UnrelatedSource.Replace("value * 2", "value + value", StringComparison.Ordinal));
        GeneratorRunResult result = driver.RunGenerators(edited).GetRunResult().Results.Single();

        // The transform reads the new compilation's semantic model, so it runs again, and finds the same models.
        Assert.All(Reasons(result, TrackingNames.ParseResults), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.All(Reasons(result, TrackingNames.Methods), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.All(Reasons(result, TrackingNames.Diagnostics), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
        Assert.All(SourceOutputReasons(result), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    [Fact]
    public void An_edit_that_only_moves_a_method_reparses_it_but_does_not_regenerate_its_source()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation([BotSource, BrokenSource, UnrelatedSource]);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        string moved = BotSource.Replace("public partial class Bot\n{", "// A comment that moves everything below it.\npublic partial class Bot\n{\n", StringComparison.Ordinal);
        Assert.NotEqual(BotSource, moved);
        GeneratorRunResult result = driver.RunGenerators(ReplaceText(compilation, "Test0.cs", moved)).GetRunResult().Results.Single();

        Assert.Contains(IncrementalStepRunReason.Unchanged, Reasons(result, TrackingNames.ParseResults));
        Assert.All(Reasons(result, TrackingNames.Methods), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.All(SourceOutputReasons(result), reason => Assert.Equal(IncrementalStepRunReason.Cached, reason));
    }

    [Fact]
    public void Moving_a_method_with_an_error_reports_it_at_its_new_place_without_regenerating_source()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation([BotSource, BrokenSource, UnrelatedSource]);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        int before = driver.GetRunResult().Diagnostics.Single().Location.GetLineSpan().StartLinePosition.Line;

        GeneratorRunResult result = driver.RunGenerators(ReplaceText(compilation, "Test1.cs", "\n\n" + BrokenSource)).GetRunResult().Results.Single();

        Diagnostic moved = Assert.Single(result.Diagnostics);
        Assert.Equal(before + 2, moved.Location.GetLineSpan().StartLinePosition.Line);
        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, TrackingNames.Diagnostics));
        Assert.All(Reasons(result, TrackingNames.Methods), reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, reason.ToString()));
        Assert.Single(result.GeneratedSources);
    }

    [Fact]
    public void A_change_to_the_signature_regenerates_the_source()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation([BotSource, BrokenSource, UnrelatedSource]);
        GeneratorDriver driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);

        string renamed = BotSource.Replace("string prompt", "string question", StringComparison.Ordinal);
        GeneratorRunResult result = driver.RunGenerators(ReplaceText(compilation, "Test0.cs", renamed)).GetRunResult().Results.Single();

        Assert.Contains(IncrementalStepRunReason.Modified, Reasons(result, TrackingNames.Methods));
        Assert.Contains("string question", Assert.Single(result.GeneratedSources).SourceText.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Pipeline_values_reach_no_compilation_symbol_syntax_or_location()
    {
        CSharpCompilation compilation = GeneratorHarness.CreateCompilation([BotSource, BrokenSource, UnrelatedSource]);
        GeneratorRunResult result = GeneratorHarness.CreateDriver().RunGenerators(compilation).GetRunResult().Results.Single();

        foreach (string step in TrackedSteps)
        {
            foreach (object value in OutputValues(result, step))
            {
                AssertReachesNoCompilerObject(value, new HashSet<object>(ReferenceEqualityComparer.Instance), step);
            }
        }

        // The walk sees the model and the diagnostic, so it would have met a symbol if one were there.
        Assert.Contains(OutputValues(result, TrackingNames.Methods), value => value is CachedMethodModel);
        Assert.Contains(OutputValues(result, TrackingNames.Diagnostics), value => value is DiagnosticInfo);
    }

    [Fact]
    public void Equal_sources_in_different_compilations_give_equal_models()
    {
        GeneratorRunResult first = GeneratorHarness.CreateDriver()
            .RunGenerators(GeneratorHarness.CreateCompilation([BotSource, BrokenSource])).GetRunResult().Results.Single();
        GeneratorRunResult second = GeneratorHarness.CreateDriver()
            .RunGenerators(GeneratorHarness.CreateCompilation([BotSource, BrokenSource])).GetRunResult().Results.Single();

        object[] firstResults = OutputValues(first, TrackingNames.ParseResults);
        object[] secondResults = OutputValues(second, TrackingNames.ParseResults);

        Assert.Equal(2, firstResults.Length);
        Assert.Equal(firstResults, secondResults);
        Assert.Equal(firstResults.Select(r => r.GetHashCode()), secondResults.Select(r => r.GetHashCode()));
    }

    private static object[] OutputValues(GeneratorRunResult result, string step) =>
        [.. result.TrackedSteps[step].SelectMany(run => run.Outputs).Select(output => output.Value)];

    private static IncrementalStepRunReason[] Reasons(GeneratorRunResult result, string step) =>
        [.. result.TrackedSteps[step].SelectMany(run => run.Outputs).Select(output => output.Reason)];

    private static IncrementalStepRunReason[] SourceOutputReasons(GeneratorRunResult result) =>
        [.. result.TrackedOutputSteps.SelectMany(pair => pair.Value).SelectMany(run => run.Outputs).Select(output => output.Reason)];

    private static CSharpCompilation ReplaceText(CSharpCompilation compilation, string path, string text)
    {
        SyntaxTree old = compilation.SyntaxTrees.Single(tree => tree.FilePath == path);
        return compilation.ReplaceSyntaxTree(old, old.WithChangedText(SourceText.From(text)));
    }

    private static void AssertReachesNoCompilerObject(object? value, HashSet<object> visited, string step)
    {
        if (value is null || value is string || value.GetType().IsPrimitive || value.GetType().IsEnum || !visited.Add(value))
        {
            return;
        }

        Assert.False(
            value is Compilation or ISymbol or SyntaxNode or SyntaxTree or Location or SemanticModel,
            $"The {step} step holds a {value.GetType().Name}.");

        // Descriptors are static singletons compared by value; they hold only strings.
        if (value is DiagnosticDescriptor)
        {
            return;
        }

        if (value is IEnumerable items)
        {
            foreach (object? item in items)
            {
                AssertReachesNoCompilerObject(item, visited, step);
            }
        }

        foreach (FieldInfo field in value.GetType().GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            AssertReachesNoCompilerObject(field.GetValue(value), visited, step);
        }
    }
}
