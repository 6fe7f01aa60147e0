using System.Runtime.CompilerServices;

namespace ZeroAllocCache;

/// <summary>
/// Value types of other libraries whose defaults (a serializer, a size estimate) one of our companion packages
/// registers from its module initializer. The runtime runs a module initializer only once code of that module runs,
/// so a cache of such a type, built before anything from the companion ran, would find no default although the
/// companion is there. A lookup that finds none runs the companion's initializer and looks again.
/// </summary>
internal static class CompanionDefaults
{
    private const string ChatResponse = "Microsoft.Extensions.AI.ChatResponse";

    // Any type of the companion's module: running the module's initializer is what registers the defaults.
    private const string ExtensionsAIType = "ZeroAllocCache.Extensions.AI.ChatResponseCacheSerializer, ZeroAllocCache.Extensions.AI";

    /// <summary>
    /// Runs the initializer of the companion package that registers defaults for <paramref name="valueType"/>, if there
    /// is one and the application has it.
    /// </summary>
    /// <returns>Whether an initializer ran (or had run): a second lookup may now succeed.</returns>
    public static bool TryRegisterFor(Type valueType)
    {
        // Native AOT runs every module initializer at startup: there is nothing left to run, or to load.
        if (!RuntimeFeature.IsDynamicCodeSupported || valueType.FullName != ChatResponse)
        {
            return false;
        }

        // Resolved from this assembly's load context; null when the application does not ship the companion.
        Type? companion = Type.GetType(ExtensionsAIType, throwOnError: false);
        if (companion is null)
        {
            return false;
        }

        RuntimeHelpers.RunModuleConstructor(companion.Module.ModuleHandle);
        return true;
    }
}
