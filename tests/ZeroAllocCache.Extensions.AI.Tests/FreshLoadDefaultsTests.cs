using System.Reflection;
using System.Runtime.Loader;

namespace ZeroAllocCache.Extensions.AI.Tests;

/// <summary>
/// The defaults this package registers for <see cref="ChatResponse"/> are there for a cache built before any of its
/// code ran. Every other test runs after the middleware's code has, so this one loads the libraries afresh, in a load
/// context of their own, where nothing from them has run.
/// </summary>
public class FreshLoadDefaultsTests
{
    [Fact]
    public void A_chat_response_cache_built_before_any_code_of_this_package_ran_finds_its_serializer_and_size_estimate()
    {
        FreshContext context = new(AppContext.BaseDirectory);
        try
        {
            Assembly core = context.LoadFromAssemblyName(new AssemblyName("ZeroAllocCache"));
            Type chatResponse = context.LoadFromAssemblyName(new AssemblyName("Microsoft.Extensions.AI.Abstractions"))
                .GetType("Microsoft.Extensions.AI.ChatResponse", throwOnError: true)!;
            Assert.DoesNotContain(context.Assemblies, a => a.GetName().Name == "ZeroAllocCache.Extensions.AI");

            bool sizeFound = TryGet(core, "ZeroAllocCache.CacheValueSizes", chatResponse, out object? sizeOf);
            bool serializerFound = TryGet(core, "ZeroAllocCache.CacheSerializers", chatResponse, out object? serializer);

            Assert.True(sizeFound);
            Assert.True(serializerFound);
            Assert.Equal("ZeroAllocCache.Extensions.AI.ChatResponseCacheSerializer", serializer!.GetType().FullName);
            Assert.Same(context, AssemblyLoadContext.GetLoadContext(sizeOf!.GetType().GenericTypeArguments[0].Assembly));
        }
        finally
        {
            context.Unload();
        }
    }

    [Fact]
    public void A_type_no_package_registers_still_has_no_default()
    {
        Assert.False(CacheSerializers.TryGet<FreshLoadDefaultsTests>(out _));
        Assert.False(CacheValueSizes.TryGet<FreshLoadDefaultsTests>(out _));
    }

    // Calls registry.TryGet<valueType>(out found) of the core loaded in the fresh context.
    private static bool TryGet(Assembly core, string registry, Type valueType, out object? found)
    {
        MethodInfo tryGet = core.GetType(registry, throwOnError: true)!.GetMethod("TryGet")!.MakeGenericMethod(valueType);
        object?[] arguments = [null];
        bool result = (bool)tryGet.Invoke(null, arguments)!;
        found = arguments[0];
        return result;
    }

    // Loads our libraries and Microsoft.Extensions.AI's abstractions again from the test's folder; everything else is
    // shared with the default context.
    private sealed class FreshContext(string directory) : AssemblyLoadContext("fresh defaults", isCollectible: true)
    {
        private static readonly string[] Reloaded = ["ZeroAllocCache", "ZeroAllocCache.Extensions.AI", "Microsoft.Extensions.AI.Abstractions"];

        protected override Assembly? Load(AssemblyName assemblyName) =>
            Reloaded.Contains(assemblyName.Name) ? LoadFromAssemblyPath(Path.Combine(directory, assemblyName.Name + ".dll")) : null;
    }
}
