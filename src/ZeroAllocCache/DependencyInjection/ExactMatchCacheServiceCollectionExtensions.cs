using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

using ZeroAllocCache;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="ExactMatchCache{TValue}"/> singletons in an <see cref="IServiceCollection"/>.</summary>
public static class ExactMatchCacheServiceCollectionExtensions
{
    /// <summary>The <see cref="ExactMatchCacheOptions{TValue}.Name"/> of the cache registered without a name.</summary>
    public const string DefaultCacheName = "default";

    /// <summary>
    /// Registers one singleton <see cref="ExactMatchCache{TValue}"/>, built from
    /// <see cref="ExactMatchCacheOptions{TValue}"/> when it is first resolved.
    /// </summary>
    /// <typeparam name="TValue">The cached value type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options; runs after the defaults and before anything configured later.</param>
    /// <returns>
    /// The options builder, to configure further: for example <c>.BindConfiguration("ZeroAllocCache:Chat")</c>
    /// (Microsoft.Extensions.Options.ConfigurationExtensions), which reads <c>MaxSize</c>, <c>Ttl</c> (as
    /// <c>"01:00:00"</c>) and <c>Name</c>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <remarks>
    /// <para>
    /// The cache is named <see cref="DefaultCacheName"/> unless the options name it, and so reports its metrics under
    /// that name. Its clock is the options' <see cref="ExactMatchCacheOptions{TValue}.TimeProvider"/>, else the
    /// <see cref="TimeProvider"/> registered in the container, else <see cref="TimeProvider.System"/>; its logs go to
    /// the container's <see cref="ILoggerFactory"/> unless the options name one.
    /// </para>
    /// <para>
    /// An <see cref="IDistributedCache"/> registered in the container becomes the second level when the options set
    /// none, unless it is a <c>MemoryDistributedCache</c> or <see cref="ExactMatchCacheOptions{TValue}.UseDistributedCache"/>
    /// is <see langword="false"/>. Its serializer (and the snapshot's) is the options', else an
    /// <see cref="IHybridCacheSerializer{T}"/> or <see cref="IHybridCacheSerializerFactory"/> from the container, else
    /// the default from <see cref="CacheSerializers"/>.
    /// </para>
    /// <para>
    /// An <see cref="IHostedService"/> keeps the cache's <see cref="ExactMatchCacheOptions{TValue}.SnapshotPath"/>: when
    /// the host starts it builds the cache and loads the file, then saves it every
    /// <see cref="ExactMatchCacheOptions{TValue}.SnapshotInterval"/> when something changed, and when the host stops. A
    /// cache without a snapshot path is built when it is first resolved, host or not.
    /// </para>
    /// <para>
    /// Invalid options throw an <see cref="OptionsValidationException"/> naming each bad option when the cache is
    /// first resolved (or at start-up, with <c>ValidateOnStart()</c> on the returned builder). Calling this again
    /// for the same <typeparamref name="TValue"/> adds configuration to the same cache.
    /// </para>
    /// </remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Both signatures are public names users rely on; the leading string makes every call unambiguous.")]
    public static OptionsBuilder<ExactMatchCacheOptions<TValue>> AddExactMatchCache<TValue>(
        this IServiceCollection services, Action<ExactMatchCacheOptions<TValue>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<ExactMatchCacheOptions<TValue>> options = AddOptions(services, Options.Options.DefaultName, DefaultCacheName, configure);
        services.TryAddSingleton(static provider => Build<TValue>(provider, Options.Options.DefaultName));
        AddSnapshots<TValue>(services, Options.Options.DefaultName, serviceKey: null);
        return options;
    }

    /// <summary>
    /// Registers a named singleton <see cref="ExactMatchCache{TValue}"/> as a keyed service: resolve it with
    /// <c>[FromKeyedServices(name)]</c> or <c>GetRequiredKeyedService&lt;ExactMatchCache&lt;TValue&gt;&gt;(name)</c>.
    /// </summary>
    /// <typeparam name="TValue">The cached value type.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The service key, the name of the options (for <c>IOptionsMonitor.Get(name)</c>) and the cache's default name.</param>
    /// <param name="configure">Sets the options; runs after the defaults and before anything configured later.</param>
    /// <returns>The options builder of the named options, to configure further.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    /// <remarks>
    /// <inheritdoc cref="AddExactMatchCache{TValue}(IServiceCollection, Action{ExactMatchCacheOptions{TValue}}?)" path="/remarks"/>
    /// </remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Both signatures are public names users rely on; the leading string makes every call unambiguous.")]
    public static OptionsBuilder<ExactMatchCacheOptions<TValue>> AddExactMatchCache<TValue>(
        this IServiceCollection services, string name, Action<ExactMatchCacheOptions<TValue>>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        OptionsBuilder<ExactMatchCacheOptions<TValue>> options = AddOptions(services, name, name, configure);
        services.TryAddKeyedSingleton(name, static (provider, key) => Build<TValue>(provider, (string)key!));
        AddSnapshots<TValue>(services, name, serviceKey: name);
        return options;
    }

    private static OptionsBuilder<ExactMatchCacheOptions<TValue>> AddOptions<TValue>(
        IServiceCollection services, string optionsName, string cacheName, Action<ExactMatchCacheOptions<TValue>>? configure)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExactMatchCacheOptions<TValue>>, ExactMatchCacheOptionsValidation<TValue>>());
        OptionsBuilder<ExactMatchCacheOptions<TValue>> options = services
            .AddOptions<ExactMatchCacheOptions<TValue>>(optionsName)
            .Configure(options => options.Name ??= cacheName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return options;
    }

    // One hosted service a cache, which looks at SnapshotPath only when the host starts (options bound from
    // configuration are not known before). Keyed by the options name, so that a second call adds no second one.
    private static void AddSnapshots<TValue>(IServiceCollection services, string optionsName, string? serviceKey)
    {
        foreach (ServiceDescriptor descriptor in services)
        {
            if (descriptor.ServiceType == typeof(SnapshotHostedService<TValue>) && Equals(descriptor.ServiceKey, optionsName))
            {
                return;
            }
        }

        services.AddKeyedSingleton(optionsName, (provider, _) => new SnapshotHostedService<TValue>(provider, optionsName, serviceKey));
        services.AddSingleton<IHostedService>(provider => provider.GetRequiredKeyedService<SnapshotHostedService<TValue>>(optionsName));
    }

    private static ExactMatchCache<TValue> Build<TValue>(IServiceProvider provider, string optionsName)
    {
        // Get validates: bad options surface here as an OptionsValidationException naming them.
        ExactMatchCacheOptions<TValue> options = provider.GetRequiredService<IOptionsMonitor<ExactMatchCacheOptions<TValue>>>().Get(optionsName).Clone();
        options.TimeProvider ??= provider.GetService<TimeProvider>();
        options.LoggerFactory ??= provider.GetService<ILoggerFactory>();
        if (options.DistributedCache is null && options.UseDistributedCache
            && provider.GetService<IDistributedCache>() is { } store && !IsInMemory(store))
        {
            options.DistributedCache = store;
        }

        options.Serializer ??= provider.GetService<IHybridCacheSerializer<TValue>>() ?? FromFactories<TValue>(provider);

        return new ExactMatchCache<TValue>(options);
    }

    // The same rule as HybridCache: an in-process IDistributedCache is no second level, only a slower first one. By
    // name, so that the runtime does not depend on Microsoft.Extensions.Caching.Memory.
    private static bool IsInMemory(IDistributedCache store) =>
        store.GetType().FullName == "Microsoft.Extensions.Caching.Distributed.MemoryDistributedCache";

    private static IHybridCacheSerializer<TValue>? FromFactories<TValue>(IServiceProvider provider)
    {
        // The last registered factory first, as HybridCache looks them up.
        IHybridCacheSerializerFactory[] factories = [.. provider.GetServices<IHybridCacheSerializerFactory>()];
        for (int i = factories.Length - 1; i >= 0; i--)
        {
            if (factories[i].TryCreateSerializer(out IHybridCacheSerializer<TValue>? serializer))
            {
                return serializer;
            }
        }

        return null;
    }
}
