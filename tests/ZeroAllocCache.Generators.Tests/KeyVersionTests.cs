using System.Reflection;

using ZeroAllocCache.Generators.Tests.Infrastructure;

namespace ZeroAllocCache.Generators.Tests;

/// <summary>
/// <c>KeyVersion</c> separates entries of one method: the same code built with another version, as after a prompt
/// change and a redeploy, misses the entries of the old one in a shared cache. Each build is compiled in memory and
/// loaded on its own, so both declare the very same method.
/// </summary>
public class KeyVersionTests
{
    private const string Source = """
        namespace Deployment;

        public static partial class Assistant
        {
            public static ExactMatchCache<string> Cache = new();
            public static int Calls;

            [CachedLlmCall(Cache = nameof(Cache)VERSION)]
            public static partial ValueTask<string> AskAsync(string prompt);

            private static ValueTask<string> AskCoreAsync(string prompt)
            {
                Calls++;
                return new ValueTask<string>("answer to " + prompt + " from build VERSION");
            }
        }
        """;

    private static readonly Lazy<byte[]> Version1 = new(() => Build(", KeyVersion = \"v1\""));
    private static readonly Lazy<byte[]> Version2 = new(() => Build(", KeyVersion = \"v2\""));
    private static readonly Lazy<byte[]> Unversioned = new(() => Build(""));

    [Fact]
    public async Task The_same_method_and_KeyVersion_in_another_build_hits_the_shared_cache()
    {
        var shared = new ExactMatchCache<string>();
        using LoadedAssembly first = LoadedAssembly.Load(Version1.Value);
        using LoadedAssembly second = LoadedAssembly.Load(Version1.Value);

        string stored = await AskAsync(first, shared, "prompt");
        string served = await AskAsync(second, shared, "prompt");

        Assert.Equal(stored, served);
        Assert.Equal(1, Calls(first));
        Assert.Equal(0, Calls(second));
    }

    [Fact]
    public async Task Another_KeyVersion_misses_the_entries_of_the_old_one()
    {
        var shared = new ExactMatchCache<string>();
        using LoadedAssembly before = LoadedAssembly.Load(Version1.Value);
        using LoadedAssembly after = LoadedAssembly.Load(Version2.Value);

        await AskAsync(before, shared, "prompt");
        await AskAsync(after, shared, "prompt");

        Assert.Equal(1, Calls(before));
        Assert.Equal(1, Calls(after));
        Assert.Equal(2, shared.Count);
    }

    [Fact]
    public async Task Setting_a_KeyVersion_for_the_first_time_retires_the_unversioned_entries()
    {
        var shared = new ExactMatchCache<string>();
        using LoadedAssembly before = LoadedAssembly.Load(Unversioned.Value);
        using LoadedAssembly after = LoadedAssembly.Load(Version1.Value);

        await AskAsync(before, shared, "prompt");
        await AskAsync(after, shared, "prompt");

        Assert.Equal(1, Calls(after));
    }

    private static byte[] Build(string keyVersionArgument) =>
        LoadedAssembly.Emit(GeneratorHarness.Run(Source.Replace("VERSION)", keyVersionArgument + ")", StringComparison.Ordinal)));

    private static Type Assistant(LoadedAssembly build) => build.Assembly.GetType("Deployment.Assistant", throwOnError: true)!;

    private static int Calls(LoadedAssembly build) => (int)Assistant(build).GetField("Calls")!.GetValue(null)!;

    private static async Task<string> AskAsync(LoadedAssembly build, ExactMatchCache<string> shared, string prompt)
    {
        Type assistant = Assistant(build);
        assistant.GetField("Cache")!.SetValue(null, shared);
        MethodInfo ask = assistant.GetMethod("AskAsync", BindingFlags.Public | BindingFlags.Static)!;
        return await (ValueTask<string>)ask.Invoke(null, [prompt])!;
    }
}
