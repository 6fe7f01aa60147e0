using System.Reflection;

using ZeroAllocCache.Generators.Tests.Infrastructure;

namespace ZeroAllocCache.Generators.Tests;

/// <summary>
/// A key depends on what a method is and what its arguments are, never on what its parameters are called: the same
/// method built with renamed parameters, as after a refactoring and a redeploy, hits the entries of the old build in a
/// shared cache. Each build is compiled in memory and loaded on its own.
/// </summary>
public class RenameStabilityTests
{
    private const string Source = """
        namespace Deployment;

        public static partial class Assistant
        {
            public static ExactMatchCache<string> Cache = new();
            public static int Calls;

            [CachedLlmCall(Cache = nameof(Cache))]
            public static partial ValueTask<string> AskAsync(MARK string USER, string SYSTEM, string MODEL, float TEMPERATURE);

            private static ValueTask<string> AskCoreAsync(string USER, string SYSTEM, string MODEL, float TEMPERATURE)
            {
                Calls++;
                return new ValueTask<string>("answer to " + USER);
            }
        }
        """;

    [Theory]
    [InlineData("")]
    [InlineData("[VariesPerCall]")]
    public async Task Renaming_every_parameter_keeps_every_key(string mark)
    {
        ExactMatchCache<string> shared = new();
        using LoadedAssembly before = LoadedAssembly.Load(Build(mark, "userMessage", "systemPrompt", "model", "temperature"));
        using LoadedAssembly after = LoadedAssembly.Load(Build(mark, "question", "instructions", "modelName", "sampling"));

        string stored = await AskAsync(before, shared);
        string served = await AskAsync(after, shared);

        Assert.Equal(stored, served);
        Assert.Equal(1, Calls(before));
        Assert.Equal(0, Calls(after));
    }

    [Fact]
    public async Task Marking_a_parameter_VariesPerCall_reorders_the_fields_and_so_retires_the_entries()
    {
        ExactMatchCache<string> shared = new();
        using LoadedAssembly unmarked = LoadedAssembly.Load(Build("", "userMessage", "systemPrompt", "model", "temperature"));
        using LoadedAssembly marked = LoadedAssembly.Load(Build("[VariesPerCall]", "userMessage", "systemPrompt", "model", "temperature"));

        await AskAsync(unmarked, shared);
        await AskAsync(marked, shared);

        Assert.Equal(1, Calls(marked));
        Assert.Equal(2, shared.Count);
    }

    private static byte[] Build(string mark, string user, string system, string model, string temperature) =>
        LoadedAssembly.Emit(GeneratorHarness.Run(Source
            .Replace("MARK", mark, StringComparison.Ordinal)
            .Replace("USER", user, StringComparison.Ordinal)
            .Replace("SYSTEM", system, StringComparison.Ordinal)
            .Replace("MODEL", model, StringComparison.Ordinal)
            .Replace("TEMPERATURE", temperature, StringComparison.Ordinal)));

    private static Type Assistant(LoadedAssembly build) => build.Assembly.GetType("Deployment.Assistant", throwOnError: true)!;

    private static int Calls(LoadedAssembly build) => (int)Assistant(build).GetField("Calls")!.GetValue(null)!;

    private static async Task<string> AskAsync(LoadedAssembly build, ExactMatchCache<string> shared)
    {
        Type assistant = Assistant(build);
        assistant.GetField("Cache")!.SetValue(null, shared);
        MethodInfo ask = assistant.GetMethod("AskAsync", BindingFlags.Public | BindingFlags.Static)!;
        return await (ValueTask<string>)ask.Invoke(null, ["How do I reset my password?", "Be brief.", "gpt-4o", 0.2f])!;
    }
}
