using System.Reflection;
using System.Runtime.Loader;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;

namespace ZeroAllocCache.Generators.Tests.Infrastructure;

/// <summary>
/// A generated compilation emitted and loaded into its own collectible context. The runtime assembly is shared with
/// the tests, so a cache created here can be handed to code loaded there.
/// </summary>
internal sealed class LoadedAssembly : IDisposable
{
    private readonly AssemblyLoadContext _context;

    private LoadedAssembly(byte[] image)
    {
        _context = new AssemblyLoadContext("generated", isCollectible: true);
        using var stream = new MemoryStream(image);
        Assembly = _context.LoadFromStream(stream);
    }

    public Assembly Assembly { get; }

    /// <summary>Emits <paramref name="run"/>'s output compilation, failing on any error.</summary>
    public static byte[] Emit(GeneratorRun run)
    {
        run.AssertCompilesCleanly();
        using var stream = new MemoryStream();
        EmitResult result = run.OutputCompilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return stream.ToArray();
    }

    /// <summary>Loads <paramref name="image"/> into a context of its own: its statics are its own.</summary>
    public static LoadedAssembly Load(byte[] image) => new(image);

    public void Dispose() => _context.Unload();
}
