using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ZeroAllocCache.Tests;

/// <summary><c>AddExactMatchCache</c>: default and named caches, configuration, the container's clock, validation.</summary>
public class DependencyInjectionTests
{
    [Fact]
    public void AddExactMatchCache_registers_one_singleton_built_from_the_options()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddExactMatchCache<string>(o => { o.MaxSize = 64; o.Ttl = TimeSpan.FromMinutes(10); })
            .Services.BuildServiceProvider();

        ExactMatchCache<string> cache = provider.GetRequiredService<ExactMatchCache<string>>();

        Assert.Same(cache, provider.GetRequiredService<ExactMatchCache<string>>());
        Assert.Equal(64, cache.MaxSize);
        Assert.Equal(TimeSpan.FromMinutes(10), cache.Ttl);
        Assert.Equal(ExactMatchCacheServiceCollectionExtensions.DefaultCacheName, cache.Name);
    }

    [Fact]
    public void Without_configuration_the_cache_has_the_documented_defaults()
    {
        using ServiceProvider provider = new ServiceCollection().AddExactMatchCache<string>().Services.BuildServiceProvider();

        ExactMatchCache<string> cache = provider.GetRequiredService<ExactMatchCache<string>>();

        Assert.Equal((1024, (TimeSpan?)null, "default"), (cache.MaxSize, cache.Ttl, cache.Name));
        Assert.Same(TimeProvider.System, cache.TimeProvider);
    }

    [Fact]
    public void Named_caches_are_keyed_services_with_options_of_their_own()
    {
        ServiceCollection services = new();
        services.AddExactMatchCache<string>("chat", o => o.MaxSize = 10);
        services.AddExactMatchCache<string>("summaries", o => o.MaxSize = 20);
        using ServiceProvider provider = services.BuildServiceProvider();

        ExactMatchCache<string> chat = provider.GetRequiredKeyedService<ExactMatchCache<string>>("chat");
        ExactMatchCache<string> summaries = provider.GetRequiredKeyedService<ExactMatchCache<string>>("summaries");

        Assert.NotSame(chat, summaries);
        Assert.Equal((10, "chat"), (chat.MaxSize, chat.Name));
        Assert.Equal((20, "summaries"), (summaries.MaxSize, summaries.Name));
        Assert.Same(chat, provider.GetRequiredKeyedService<ExactMatchCache<string>>("chat"));
        Assert.Null(provider.GetService<ExactMatchCache<string>>());
    }

    [Fact]
    public void A_named_cache_reaches_a_constructor_through_FromKeyedServices()
    {
        ServiceCollection services = new();
        services.AddExactMatchCache<string>("chat");
        services.AddSingleton<ChatConsumer>();
        using ServiceProvider provider = services.BuildServiceProvider();

        ChatConsumer consumer = provider.GetRequiredService<ChatConsumer>();

        Assert.Same(provider.GetRequiredKeyedService<ExactMatchCache<string>>("chat"), consumer.Cache);
    }

    [Fact]
    public void Options_bind_from_configuration_with_TimeSpan_values()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ZeroAllocCache:Chat:MaxSize"] = "500",
                ["ZeroAllocCache:Chat:Ttl"] = "01:00:00",
                ["ZeroAllocCache:Chat:Name"] = "chat-from-config",
            })
            .Build();
        ServiceCollection services = new();
        services.AddSingleton(configuration);
        services.AddExactMatchCache<string>().BindConfiguration("ZeroAllocCache:Chat");
        using ServiceProvider provider = services.BuildServiceProvider();

        ExactMatchCache<string> cache = provider.GetRequiredService<ExactMatchCache<string>>();

        Assert.Equal((500, TimeSpan.FromHours(1), "chat-from-config"), (cache.MaxSize, cache.Ttl, cache.Name));
    }

    [Fact]
    public void The_containers_TimeProvider_is_the_clock_when_the_options_set_none()
    {
        FakeTimeProvider containerClock = new();
        ServiceCollection services = new();
        services.AddSingleton<TimeProvider>(containerClock);
        services.AddExactMatchCache<string>(o => o.Ttl = TimeSpan.FromMinutes(1));
        using ServiceProvider provider = services.BuildServiceProvider();
        ExactMatchCache<string> cache = provider.GetRequiredService<ExactMatchCache<string>>();

        cache.Put("a", "s", "m", 0f, 1, "1");
        containerClock.Advance(TimeSpan.FromMinutes(2));

        Assert.Same(containerClock, cache.TimeProvider);
        Assert.False(cache.TryGet("a", "s", "m", 0f, 1, out _));
    }

    [Fact]
    public void A_TimeProvider_set_in_the_options_wins_over_the_containers()
    {
        FakeTimeProvider containerClock = new();
        FakeTimeProvider optionsClock = new();
        ServiceCollection services = new();
        services.AddSingleton<TimeProvider>(containerClock);
        services.AddExactMatchCache<string>(o => o.TimeProvider = optionsClock);
        using ServiceProvider provider = services.BuildServiceProvider();

        Assert.Same(optionsClock, provider.GetRequiredService<ExactMatchCache<string>>().TimeProvider);
    }

    [Fact]
    public void Invalid_options_throw_an_OptionsValidationException_naming_each_bad_option()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddExactMatchCache<string>("chat", o => { o.MaxSize = -1; o.Ttl = TimeSpan.Zero; })
            .Services.BuildServiceProvider();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(
            () => provider.GetRequiredKeyedService<ExactMatchCache<string>>("chat"));

        Assert.Equal(2, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("MaxSize must be from 0", StringComparison.Ordinal) && f.Contains("'chat'", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("Ttl must be above zero", StringComparison.Ordinal));
    }

    [Fact]
    public void Invalid_options_from_configuration_are_reported_the_same_way()
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Cache:MaxSize"] = "-3" })
            .Build();
        ServiceCollection services = new();
        services.AddSingleton(configuration);
        services.AddExactMatchCache<string>().BindConfiguration("Cache");
        using ServiceProvider provider = services.BuildServiceProvider();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ExactMatchCache<string>>());

        Assert.Contains("MaxSize", Assert.Single(error.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void A_cache_built_by_the_container_reports_metrics_under_its_name_until_the_container_is_disposed()
    {
        string name = "di-" + Guid.NewGuid().ToString("N");
        ServiceProvider provider = new ServiceCollection().AddExactMatchCache<string>(name).Services.BuildServiceProvider();
        ExactMatchCache<string> cache = provider.GetRequiredKeyedService<ExactMatchCache<string>>(name);
        cache.Put("a", "s", "m", 0f, 1, "1");
        cache.TryGet("a", "s", "m", 0f, 1, out _);

        Assert.Equal(1, ReadHits(name));
        provider.Dispose();
        Assert.Null(ReadHits(name));
    }

    [Fact]
    public void The_default_cache_reports_metrics_under_default()
    {
        using ServiceProvider provider = new ServiceCollection().AddExactMatchCache<Guid>().Services.BuildServiceProvider();
        ExactMatchCache<Guid> cache = provider.GetRequiredService<ExactMatchCache<Guid>>();

        Assert.Equal("default", cache.Name);
        Assert.NotNull(ReadHits("default"));
    }

    [Fact]
    public void Null_and_empty_arguments_are_rejected_by_name()
    {
        Assert.Equal("services", Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddExactMatchCache<string>()).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddExactMatchCache<string>((string)null!)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => new ServiceCollection().AddExactMatchCache<string>(" ")).ParamName);
    }

    private static long? ReadHits(string cacheName)
    {
        using MetricCollector<long> collector = new(meterScope: null, CacheMetrics.MeterName, CacheMetrics.HitsInstrumentName);
        collector.RecordObservableInstruments();
        CollectedMeasurement<long>[] matching =
            [.. collector.GetMeasurementSnapshot().Where(m => Equals(m.Tags.GetValueOrDefault(CacheMetrics.CacheNameTag), cacheName))];
        return matching.Length == 0 ? null : matching.Sum(m => m.Value);
    }

    private sealed class ChatConsumer([FromKeyedServices("chat")] ExactMatchCache<string> cache)
    {
        public ExactMatchCache<string> Cache { get; } = cache;
    }
}
