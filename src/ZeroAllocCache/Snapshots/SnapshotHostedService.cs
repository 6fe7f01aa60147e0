using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ZeroAllocCache;

/// <summary>
/// The snapshot file of a cache registered through dependency injection: loaded when the host starts, saved every
/// <see cref="ExactMatchCacheOptions{TValue}.SnapshotInterval"/> when something changed, and saved when the host stops.
/// Does nothing, and builds nothing, for a cache without a <see cref="ExactMatchCacheOptions{TValue}.SnapshotPath"/>.
/// </summary>
/// <typeparam name="TValue">The cached value type.</typeparam>
/// <param name="services">The container the cache is resolved from.</param>
/// <param name="optionsName">The name of the cache's options.</param>
/// <param name="serviceKey">The cache's service key, or <see langword="null"/> for the unkeyed cache.</param>
internal sealed class SnapshotHostedService<TValue>(IServiceProvider services, string optionsName, string? serviceKey) : IHostedService, IDisposable
{
    private ExactMatchCache<TValue>? _cache;
    private string _path = "";
    private string _cacheName = "";
    private ILogger _logger = NullLogger.Instance;
    private (long Changes, long Hits) _saved;
    private CancellationTokenSource? _stopping;
    private Task _periodicSaves = Task.CompletedTask;
    private int _periodicChecks;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        ExactMatchCacheOptions<TValue> options;
        try
        {
            options = services.GetRequiredService<IOptionsMonitor<ExactMatchCacheOptions<TValue>>>().Get(optionsName);
        }
        catch (OptionsValidationException)
        {
            return; // the cache cannot be built; resolving it reports why, as it does without a host
        }

        if (options.SnapshotPath is null)
        {
            return;
        }

        ExactMatchCache<TValue> cache = serviceKey is null
            ? services.GetRequiredService<ExactMatchCache<TValue>>()
            : services.GetRequiredKeyedService<ExactMatchCache<TValue>>(serviceKey);
        // A relative path is the host's content root's, not whatever the working directory is (a service's is often /).
        _path = Path.GetFullPath(options.SnapshotPath, services.GetService<IHostEnvironment>()?.ContentRootPath ?? Environment.CurrentDirectory);
        _cacheName = cache.Name ?? optionsName;
        _logger = (options.LoggerFactory ?? services.GetService<ILoggerFactory>())?.CreateLogger("ZeroAllocCache.Snapshots") ?? NullLogger.Instance;

        await LoadAsync(cache, cancellationToken).ConfigureAwait(false);
        _saved = cache.SnapshotVersion;
        _cache = cache;
        if (options.SnapshotInterval != Timeout.InfiniteTimeSpan)
        {
            _stopping = new CancellationTokenSource();
            _periodicSaves = SaveEveryAsync(options.SnapshotInterval, cache.TimeProvider, _stopping.Token);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_cache is null)
        {
            return;
        }

        if (_stopping is not null)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _periodicSaves.ConfigureAwait(false);
        }

        await SaveIfChangedAsync(isFinal: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The number of periodic checks done (saved or found unchanged); what tests wait for.</summary>
    internal int PeriodicChecks => Volatile.Read(ref _periodicChecks);

    public void Dispose()
    {
        // Without a stop (a later hosted service failed to start), the periodic saves end here. Twice is once: the
        // container disposes the keyed service and the hosted service, which are the same object.
        CancellationTokenSource? stopping = Interlocked.Exchange(ref _stopping, null);
        stopping?.Cancel();
        stopping?.Dispose();
    }

    private async Task LoadAsync(ExactMatchCache<TValue> cache, CancellationToken cancellationToken)
    {
        try
        {
            // Saves need the folder; a missing one is no more an error than a missing file. A crash mid-save leaves
            // a temporary file, of no use now.
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            SnapshotFiles.DeleteLeftovers(_path);
            int loaded = await cache.LoadSnapshotAsync(_path, cancellationToken).ConfigureAwait(false);
            SnapshotLog.Loaded(_logger, _cacheName, loaded, _path);
        }
        catch (FileNotFoundException)
        {
            SnapshotLog.NoSnapshot(_logger, _cacheName, _path);
        }
        catch (Exception exception) when (exception is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // A cache is worth starting without: the damaged file is logged, not trusted, and replaced at the next save.
            SnapshotLog.LoadFailed(_logger, _cacheName, _path, exception);
        }
    }

    private async Task SaveEveryAsync(TimeSpan interval, TimeProvider clock, CancellationToken stopping)
    {
        using PeriodicTimer timer = new(interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await SaveIfChangedAsync(isFinal: false, stopping).ConfigureAwait(false);
                Interlocked.Increment(ref _periodicChecks);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // The host is stopping; StopAsync saves once more.
        }
    }

    // A periodic save cut short by the stop lets the cancellation through: the stop saves once more (final).
    private async Task SaveIfChangedAsync(bool isFinal, CancellationToken cancellationToken)
    {
        ExactMatchCache<TValue> cache = _cache!;
        (long Changes, long Hits) version = cache.SnapshotVersion;
        if (version == _saved)
        {
            return;
        }

        try
        {
            int saved = await cache.SaveSnapshotFileAsync(_path, cancellationToken).ConfigureAwait(false);
            _saved = version; // what changes during the save is saved next time
            SnapshotLog.Saved(_logger, _cacheName, saved, _path);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && isFinal)
        {
            SnapshotLog.SaveCancelled(_logger, _cacheName, _path);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException
            && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // A failing save (a full disk, a serializer that throws) must not stop the host; the old file stays.
            SnapshotLog.SaveFailed(_logger, _cacheName, _path, exception);
        }
    }
}
