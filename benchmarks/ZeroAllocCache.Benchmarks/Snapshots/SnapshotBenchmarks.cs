using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;

namespace ZeroAllocCache.Benchmarks.Snapshots;

/// <summary>
/// Issue 17: saving and loading a snapshot of 100,000 entries with 2 KB values, against writing and reading the same
/// number of bytes with a plain <see cref="FileStream"/> in 64 KB chunks, in the same folder. Both saves end with the
/// data flushed to disk, as a snapshot file is; the goal is at least half the plain stream's throughput.
/// </summary>
/// <remarks>
/// Each operation moves about 200 MB, so a few monitored iterations say enough:
/// <c>dotnet run -c Release --project benchmarks/ZeroAllocCache.Benchmarks -- --filter '*SnapshotBenchmarks*'</c>.
/// </remarks>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 15)]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SnapshotBenchmarks
{
    private const int Entries = 100_000;
    private const int ValueLength = 2_048;
    private const int ChunkSize = 64 * 1024;

    private readonly byte[] _chunk = new byte[ChunkSize];
    private ExactMatchCache<string> _cache = null!;
    private string _folder = null!;
    private string _snapshot = null!;
    private string _plain = null!;
    private long _bytes;

    /// <summary>Fills the cache, saves it once to learn the snapshot's length, and writes the plain file of that length.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("zac-snapshot-bench-").FullName;
        _snapshot = Path.Combine(_folder, "cache.snapshot");
        _plain = Path.Combine(_folder, "plain.bin");
        _cache = new ExactMatchCache<string>(maxSize: Entries);
        Random random = new(17);
        char[] value = new char[ValueLength];
        for (int i = 0; i < Entries; i++)
        {
            for (int c = 0; c < value.Length; c++)
            {
                value[c] = (char)random.Next(' ', '~');
            }

            _cache.Put(CacheKey.Create("question " + i, "system", "model", 0.2f, 256), new string(value));
        }

        random.NextBytes(_chunk);
        _cache.SaveSnapshotAsync(_snapshot).GetAwaiter().GetResult();
        _bytes = new FileInfo(_snapshot).Length;
        PlainWrite();
    }

    /// <summary>Removes the files.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _cache.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>The same number of bytes as the snapshot, written with a FileStream and flushed to disk.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Save")]
    public long PlainWrite()
    {
        using FileStream stream = new(_plain, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1);
        for (long left = _bytes; left > 0; left -= ChunkSize)
        {
            stream.Write(_chunk, 0, (int)Math.Min(left, ChunkSize));
        }

        stream.Flush(flushToDisk: true);
        return stream.Length;
    }

    /// <summary>The snapshot saved to its file: to a temporary file, flushed to disk, renamed over the old one.</summary>
    [Benchmark]
    [BenchmarkCategory("Save")]
    public async Task SaveSnapshot() => await _cache.SaveSnapshotAsync(_snapshot);

    /// <summary>The plain file read back with a FileStream.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Load")]
    public long PlainRead()
    {
        using FileStream stream = new(_plain, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        long total = 0;
        int read;
        while ((read = stream.Read(_chunk, 0, ChunkSize)) > 0)
        {
            total += read;
        }

        return total;
    }

    /// <summary>The snapshot loaded into an empty cache: read, checked, every value deserialized and stored.</summary>
    [Benchmark]
    [BenchmarkCategory("Load")]
    public async Task<int> LoadSnapshot()
    {
        using ExactMatchCache<string> cache = new(maxSize: Entries);
        return await cache.LoadSnapshotAsync(_snapshot);
    }

    /// <summary>
    /// The snapshot loaded into a cache of one entry: every byte read and checked, one value deserialized. What the
    /// format itself costs, apart from building 100,000 strings on the managed heap.
    /// </summary>
    [Benchmark]
    [BenchmarkCategory("Load")]
    public async Task<int> LoadSnapshot_checked_but_not_kept()
    {
        using ExactMatchCache<string> cache = new(maxSize: 1);
        return await cache.LoadSnapshotAsync(_snapshot);
    }
}
