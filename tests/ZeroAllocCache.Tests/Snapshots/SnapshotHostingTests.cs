using System.Buffers;
using System.Diagnostics;
using System.Text;

using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ZeroAllocCache.Tests.Snapshots;

/// <summary>
/// <see cref="ExactMatchCacheOptions{TValue}.SnapshotPath"/> in a real generic host: loaded at start, saved every
/// interval when something changed, saved at stop; a missing or damaged file is an empty cache, logged.
/// </summary>
public sealed class SnapshotHostingTests : IDisposable
{
    private const int Loaded = 1701;
    private const int NoSnapshot = 1702;
    private const int LoadFailed = 1703;
    private const int Saved = 1704;
    private const int SaveFailed = 1705;

    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("zac-hosted-snapshots-");
    private readonly FakeLogCollector _logs = new();

    private string SnapshotPath => Path.Combine(_folder.FullName, "cache.snapshot");

    public void Dispose() => _folder.Delete(recursive: true);

    [Fact]
    public async Task A_host_starts_empty_without_a_file_saves_at_stop_and_the_next_host_starts_warm()
    {
        using (IHost first = BuildHost(services => services.AddExactMatchCache<string>(o => o.SnapshotPath = SnapshotPath)))
        {
            await first.StartAsync();
            ExactMatchCache<string> cache = first.Services.GetRequiredService<ExactMatchCache<string>>();
            Assert.Equal(0, cache.Count);
            Assert.Single(_logs.GetSnapshot(), r => r.Id.Id == NoSnapshot);
            for (int i = 0; i < 3; i++)
            {
                cache.Put(Key(i), "answer " + i);
            }

            await first.StopAsync();
        }

        Assert.True(File.Exists(SnapshotPath));
        using IHost second = BuildHost(services => services.AddExactMatchCache<string>(o => o.SnapshotPath = SnapshotPath));
        await second.StartAsync();

        ExactMatchCache<string> warm = second.Services.GetRequiredService<ExactMatchCache<string>>();
        Assert.Equal(3, warm.Count);
        Assert.True(warm.TryGet(Key(2), out string? value));
        Assert.Equal("answer 2", value);
        Assert.Contains(_logs.GetSnapshot(), r => r.Id.Id == Loaded && r.Message.Contains("loaded 3 entries", StringComparison.Ordinal));
        await second.StopAsync();
    }

    [Fact]
    public async Task Every_interval_the_cache_is_saved_only_when_an_entry_was_stored_or_hit()
    {
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        using IHost host = BuildHost(services => services
            .AddSingleton<TimeProvider>(clock)
            .AddExactMatchCache<string>(o => { o.SnapshotPath = SnapshotPath; o.SnapshotInterval = Interval; }));
        await host.StartAsync();
        ExactMatchCache<string> cache = host.Services.GetRequiredService<ExactMatchCache<string>>();

        await TickAsync(host, clock);
        Assert.Equal(0, SaveCount());
        Assert.False(File.Exists(SnapshotPath));

        cache.Put(Key(1), "stored");
        await TickAsync(host, clock);
        Assert.Equal(1, SaveCount());
        Assert.True(File.Exists(SnapshotPath));

        await TickAsync(host, clock);
        Assert.Equal(1, SaveCount());

        cache.TryGet(Key(1), out _);
        await TickAsync(host, clock);
        Assert.Equal(2, SaveCount());

        await host.StopAsync();
        Assert.Equal(2, SaveCount()); // nothing changed since the last periodic save
        Assert.Equal(1, await new ExactMatchCache<string>().LoadSnapshotAsync(SnapshotPath));
    }

    [Fact]
    public async Task With_an_infinite_interval_the_cache_is_saved_only_at_stop()
    {
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        using IHost host = BuildHost(services => services
            .AddSingleton<TimeProvider>(clock)
            .AddExactMatchCache<string>(o => { o.SnapshotPath = SnapshotPath; o.SnapshotInterval = Timeout.InfiniteTimeSpan; }));
        await host.StartAsync();
        host.Services.GetRequiredService<ExactMatchCache<string>>().Put(Key(1), "stored");

        clock.Advance(TimeSpan.FromDays(3));
        await Task.Delay(100);
        Assert.False(File.Exists(SnapshotPath));
        await host.StopAsync();

        Assert.Equal(1, SaveCount());
        Assert.True(File.Exists(SnapshotPath));
    }

    [Fact]
    public async Task A_warm_start_with_no_change_does_not_rewrite_the_file_at_stop()
    {
        ExactMatchCache<string> saved = new();
        saved.Put(Key(1), "saved");
        await saved.SaveSnapshotAsync(SnapshotPath);
        byte[] before = await File.ReadAllBytesAsync(SnapshotPath);
        using IHost host = BuildHost(services => services.AddExactMatchCache<string>(o => o.SnapshotPath = SnapshotPath));

        await host.StartAsync();
        await host.StopAsync();

        Assert.Equal(0, SaveCount());
        Assert.Equal(before, await File.ReadAllBytesAsync(SnapshotPath));
    }

    [Fact]
    public async Task A_periodic_save_in_flight_at_stop_is_cut_short_and_the_stop_saves_everything()
    {
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        using GatedSerializer serializer = new();
        using IHost host = BuildHost(services => services
            .AddSingleton<TimeProvider>(clock)
            .AddExactMatchCache<string>(o => { o.SnapshotPath = SnapshotPath; o.SnapshotInterval = Interval; o.Serializer = serializer; }));
        await host.StartAsync();
        ExactMatchCache<string> cache = host.Services.GetRequiredService<ExactMatchCache<string>>();
        cache.Put(Key(1), "first");

        serializer.Close();
        Task tick = Task.Run(() => clock.Advance(Interval)); // the fake clock runs the save inline, in Advance
        Assert.True(serializer.Entered.Wait(TimeSpan.FromSeconds(20)), "The periodic save did not start.");
        cache.Put(Key(2), "during the save");
        Task stop = host.StopAsync();
        serializer.Open();
        await stop;
        await tick;

        Assert.Equal(1, SaveCount()); // the stop's: the periodic one was cut short
        Assert.DoesNotContain(_logs.GetSnapshot(), r => r.Id.Id == SaveFailed);
        ExactMatchCache<string> loaded = new(new ExactMatchCacheOptions<string> { Serializer = serializer });
        Assert.Equal(2, await loaded.LoadSnapshotAsync(SnapshotPath));
    }

    [Fact]
    public async Task A_change_made_while_a_periodic_save_runs_is_saved_at_the_next_tick()
    {
        FakeTimeProvider clock = new(DateTimeOffset.UtcNow);
        using GatedSerializer serializer = new();
        using IHost host = BuildHost(services => services
            .AddSingleton<TimeProvider>(clock)
            .AddExactMatchCache<string>(o => { o.SnapshotPath = SnapshotPath; o.SnapshotInterval = Interval; o.Serializer = serializer; }));
        await host.StartAsync();
        ExactMatchCache<string> cache = host.Services.GetRequiredService<ExactMatchCache<string>>();
        SnapshotHostedService<string> service = host.Services.GetRequiredKeyedService<SnapshotHostedService<string>>(Options.DefaultName);
        cache.Put(Key(1), "first");

        serializer.Close();
        Task tick = Task.Run(() => clock.Advance(Interval)); // the fake clock runs the save inline, in Advance
        Assert.True(serializer.Entered.Wait(TimeSpan.FromSeconds(20)), "The periodic save did not start.");
        cache.Put(Key(2), "during the save");
        serializer.Open();
        await WaitUntilAsync(() => service.PeriodicChecks == 1);
        await tick;
        Assert.Equal(1, await new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { Serializer = serializer }).LoadSnapshotAsync(SnapshotPath));

        await TickAsync(host, clock);

        Assert.Equal(2, SaveCount());
        Assert.Equal(2, await new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { Serializer = serializer }).LoadSnapshotAsync(SnapshotPath));
        await host.StopAsync();
    }

    [Fact]
    public async Task A_relative_path_is_the_content_roots_and_leftover_temporary_files_are_deleted_at_start()
    {
        string leftover = Path.Combine(_folder.FullName, $".cache.snapshot.{Guid.NewGuid():N}.tmp");
        await File.WriteAllTextAsync(leftover, "a save that crashed");
        using IHost host = BuildHost(
            services => services.AddExactMatchCache<string>(o => o.SnapshotPath = "cache.snapshot"),
            contentRoot: _folder.FullName);

        await host.StartAsync();
        host.Services.GetRequiredService<ExactMatchCache<string>>().Put(Key(1), "answer");
        await host.StopAsync();

        Assert.False(File.Exists(leftover));
        Assert.Equal([SnapshotPath], Directory.GetFiles(_folder.FullName));
    }

    [Fact]
    public async Task The_default_cache_and_a_named_cache_of_the_same_type_keep_snapshots_of_their_own()
    {
        string named = Path.Combine(_folder.FullName, "named.snapshot");
        using IHost host = BuildHost(services =>
        {
            services.AddExactMatchCache<string>(o => o.SnapshotPath = SnapshotPath);
            services.AddExactMatchCache<string>("named", o => o.SnapshotPath = named);
        });
        await host.StartAsync();
        host.Services.GetRequiredService<ExactMatchCache<string>>().Put(Key(1), "default");
        host.Services.GetRequiredKeyedService<ExactMatchCache<string>>("named").Put(Key(2), "named");

        await host.StopAsync();

        ExactMatchCache<string> fromDefault = new();
        await fromDefault.LoadSnapshotAsync(SnapshotPath);
        ExactMatchCache<string> fromNamed = new();
        await fromNamed.LoadSnapshotAsync(named);
        Assert.Equal((true, false), (fromDefault.TryGet(Key(1), out _), fromDefault.TryGet(Key(2), out _)));
        Assert.Equal((false, true), (fromNamed.TryGet(Key(1), out _), fromNamed.TryGet(Key(2), out _)));
    }

    [Fact]
    public async Task A_damaged_snapshot_is_logged_the_cache_starts_empty_and_the_stop_replaces_the_file()
    {
        await File.WriteAllTextAsync(SnapshotPath, "ZACSNAP\nthis is not what a snapshot holds");
        using IHost host = BuildHost(services => services.AddExactMatchCache<string>(o => o.SnapshotPath = SnapshotPath));

        await host.StartAsync();
        ExactMatchCache<string> cache = host.Services.GetRequiredService<ExactMatchCache<string>>();
        Assert.Equal(0, cache.Count);
        FakeLogRecord failure = Assert.Single(_logs.GetSnapshot(), r => r.Id.Id == LoadFailed);
        Assert.IsType<InvalidDataException>(failure.Exception);
        cache.Put(Key(1), "after the damage");
        await host.StopAsync();

        Assert.Equal(1, await new ExactMatchCache<string>().LoadSnapshotAsync(SnapshotPath));
    }

    [Fact]
    public async Task A_save_that_fails_at_stop_is_logged_and_the_host_still_stops()
    {
        string folder = Path.Combine(_folder.FullName, "removed");
        using IHost host = BuildHost(services => services.AddExactMatchCache<string>(o => o.SnapshotPath = Path.Combine(folder, "cache.snapshot")));
        await host.StartAsync();
        host.Services.GetRequiredService<ExactMatchCache<string>>().Put(Key(1), "unsaved");
        Directory.Delete(folder); // created by the start, gone before the stop

        await host.StopAsync();

        FakeLogRecord failure = Assert.Single(_logs.GetSnapshot(), r => r.Id.Id == SaveFailed);
        Assert.IsType<DirectoryNotFoundException>(failure.Exception);
    }

    [Fact]
    public async Task A_cache_with_a_snapshot_path_and_no_serializer_fails_the_start_naming_its_value_type()
    {
        using IHost host = BuildHost(services => services.AddExactMatchCache<Uri>(o => o.SnapshotPath = SnapshotPath));

        InvalidOperationException error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Contains("System.Uri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_containers_serializer_is_the_snapshots_serializer()
    {
        using IHost host = BuildHost(services => services
            .AddSingleton<IHybridCacheSerializer<Uri>, UriSerializer>()
            .AddExactMatchCache<Uri>(o => o.SnapshotPath = SnapshotPath));
        await host.StartAsync();
        host.Services.GetRequiredService<ExactMatchCache<Uri>>().Put(Key(1), new Uri("https://example.com/"));

        await host.StopAsync();

        ExactMatchCache<Uri> loaded = new(new ExactMatchCacheOptions<Uri> { Serializer = new UriSerializer() });
        Assert.Equal(1, await loaded.LoadSnapshotAsync(SnapshotPath));
        Assert.True(loaded.TryGet(Key(1), out Uri? uri));
        Assert.Equal("https://example.com/", uri!.AbsoluteUri);
    }

    [Fact]
    public async Task Named_caches_keep_snapshots_of_their_own_and_registering_twice_adds_no_second_service()
    {
        string first = Path.Combine(_folder.FullName, "first.snapshot");
        string second = Path.Combine(_folder.FullName, "second.snapshot");
        using IHost host = BuildHost(services =>
        {
            services.AddExactMatchCache<string>("first", o => o.SnapshotPath = first);
            services.AddExactMatchCache<string>("first", o => o.MaxSize = 10);
            services.AddExactMatchCache<string>("second", o => o.SnapshotPath = second);
        });
        Assert.Equal(2, host.Services.GetServices<IHostedService>().Count());
        await host.StartAsync();
        host.Services.GetRequiredKeyedService<ExactMatchCache<string>>("first").Put(Key(1), "first");
        host.Services.GetRequiredKeyedService<ExactMatchCache<string>>("second").Put(Key(2), "second");

        await host.StopAsync();

        ExactMatchCache<string> fromFirst = new();
        await fromFirst.LoadSnapshotAsync(first);
        Assert.True(fromFirst.TryGet(Key(1), out _));
        Assert.False(fromFirst.TryGet(Key(2), out _));
        ExactMatchCache<string> fromSecond = new();
        await fromSecond.LoadSnapshotAsync(second);
        Assert.True(fromSecond.TryGet(Key(2), out _));
    }

    [Fact]
    public async Task Without_a_snapshot_path_the_start_builds_no_cache_so_invalid_options_fail_only_where_it_is_resolved()
    {
        using IHost host = BuildHost(services => services.AddExactMatchCache<string>(o => o.MaxSize = -1));

        await host.StartAsync();

        Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<ExactMatchCache<string>>());
        await host.StopAsync();
    }

    [Fact]
    public void Snapshot_options_out_of_range_are_reported_by_name()
    {
        using ServiceProvider provider = new ServiceCollection()
            .AddExactMatchCache<string>(o => { o.SnapshotPath = " "; o.SnapshotInterval = TimeSpan.Zero; })
            .Services.BuildServiceProvider();

        OptionsValidationException error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ExactMatchCache<string>>());

        Assert.Contains(error.Failures, f => f.Contains("SnapshotPath", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("SnapshotInterval", StringComparison.Ordinal));
        Assert.Equal("SnapshotInterval", Assert.Throws<ArgumentOutOfRangeException>(
            () => new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { SnapshotInterval = TimeSpan.FromDays(2) })).ParamName);
        _ = new ExactMatchCache<string>(new ExactMatchCacheOptions<string> { SnapshotInterval = Timeout.InfiniteTimeSpan });
    }

    private static CacheKey Key(int i) => CacheKey.Create("question " + i, "system", "model", 0.2f, 256);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        Stopwatch waited = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), $"Still waiting after {waited.Elapsed}.");
            await Task.Delay(5);
        }
    }

    private IHost BuildHost(Action<IServiceCollection> configure, string? contentRoot = null)
    {
        HostApplicationBuilder builder = new(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = contentRoot });
        builder.Logging.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(_logs));
        configure(builder.Services);
        return builder.Build();
    }

    private int SaveCount() => _logs.GetSnapshot().Count(r => r.Id.Id == Saved);

    // Moves the clock one interval on and waits until the periodic check it starts is done (saved or found unchanged).
    private static async Task TickAsync(IHost host, FakeTimeProvider clock)
    {
        SnapshotHostedService<string> service = host.Services.GetRequiredKeyedService<SnapshotHostedService<string>>(Options.DefaultName);
        int before = service.PeriodicChecks;
        clock.Advance(Interval);
        Stopwatch waited = Stopwatch.StartNew();
        while (service.PeriodicChecks == before)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(20), $"No periodic check after {waited.Elapsed}.");
            await Task.Delay(5);
        }
    }

    // A string serializer that, while closed, holds every value it writes until it is opened: a save caught mid-way.
    private sealed class GatedSerializer : IHybridCacheSerializer<string>, IDisposable
    {
        private readonly ManualResetEventSlim _open = new(initialState: true);

        public ManualResetEventSlim Entered { get; } = new();

        public void Close() => _open.Reset();

        public void Dispose()
        {
            _open.Dispose();
            Entered.Dispose();
        }

        public void Open() => _open.Set();

        public string Deserialize(ReadOnlySequence<byte> source) => Encoding.UTF8.GetString(source);

        public void Serialize(string value, IBufferWriter<byte> target)
        {
            Entered.Set();
            Assert.True(_open.Wait(TimeSpan.FromSeconds(30)), "The gate was never opened.");
            Encoding.UTF8.GetBytes(value, target);
        }
    }

    private sealed class UriSerializer : IHybridCacheSerializer<Uri>
    {
        public Uri Deserialize(ReadOnlySequence<byte> source) => new(Encoding.UTF8.GetString(source));

        public void Serialize(Uri value, IBufferWriter<byte> target) => Encoding.UTF8.GetBytes(value.OriginalString, target);
    }
}
