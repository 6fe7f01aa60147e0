using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;

using BitFaster.Caching.Lru;

using Microsoft.Extensions.Caching.Memory;

using ZeroAllocCache.Benchmarks.Contenders;
using ZeroAllocCache.Benchmarks.Requests;

namespace ZeroAllocCache.Benchmarks.Memory;

/// <summary>
/// Issue 4, part 5: bytes per entry with 100K entries resident, keys included.
/// </summary>
/// <remarks>
/// <para>
/// Each contender is filled with 100K reference requests whose user messages are new strings (the message number
/// written into the text), as they would arrive from the wire; the harness keeps none of them. A cache that keys by
/// the request's strings keeps each user message alive, and those bytes are its key's; a digest-keyed cache lets them
/// go. The system prompt and model are shared constants, and every entry stores the same value, so neither counts.
/// </para>
/// <para>
/// Retained bytes are the heap after the fill minus the heap before it, each read by
/// <see cref="GC.GetTotalMemory(bool)"/> after forced, blocking, compacting full collections, divided by the entries
/// actually resident. Allocated bytes are <see cref="GC.GetAllocatedBytesForCurrentThread"/> over the fill: the
/// garbage made on the way.
/// </para>
/// </remarks>
public static class MemoryPerEntryHarness
{
    private const int Entries = 100_000;

    /// <summary>Measures every contender and prints a markdown table.</summary>
    public static void Run()
    {
        Console.WriteLine($"Memory per entry: {Entries:N0} reference requests, each with a new user-message string; "
            + $".NET {Environment.Version}, {RuntimeInformation.OSDescription}, "
            + $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} GC.");
        Console.WriteLine();
        Console.WriteLine("| Contender | Resident entries | Retained bytes | Bytes per entry | Allocated per entry during fill |");
        Console.WriteLine("|---|---:|---:|---:|---:|");

        Report("ExactMatchCache (32-byte digest key)", () =>
        {
            ExactMatchCache<string> cache = new(Entries);
            Fill(r => cache.Put(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, CannedResponse.Text));
            return (cache, cache.Count);
        });
        Report("Seed port (hex string key, Dictionary + LinkedList)", () =>
        {
            SeedLruCache<string> cache = new(Entries);
            Fill(r => cache.Put(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens, CannedResponse.Text));
            return (cache, cache.Count);
        });
        Report("MemoryCache (seed key, size limit)", () =>
        {
            MemoryCache cache = new(new MemoryCacheOptions { SizeLimit = Entries });
            MemoryCacheEntryOptions sizeOne = new() { Size = 1 };
            Fill(r => cache.Set(SeedKey.Compute(r.UserMessage, r.SystemPrompt, r.Model, r.Temperature, r.MaxTokens), CannedResponse.Text, sizeOne));
            return (cache, cache.Count);
        });
        Report("BitFaster ConcurrentLru (tuple key)", () =>
        {
            ConcurrentLru<(string, string, string, float, int), string> cache = new(Entries);
            Fill(r => cache.AddOrUpdate(r.ToTuple(), CannedResponse.Text));
            return (cache, cache.Count);
        });
        Report("ConcurrentDictionary (tuple key, unbounded)", () =>
        {
            ConcurrentDictionary<(string, string, string, float, int), string> cache = new();
            Fill(r => cache[r.ToTuple()] = CannedResponse.Text);
            return (cache, cache.Count);
        });
    }

    private static void Report(string name, Func<(object Cache, int Count)> build)
    {
        long before = HeapAfterFullCollection();
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        (object cache, int count) = build();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        long retained = HeapAfterFullCollection() - before;
        GC.KeepAlive(cache);
        (cache as IDisposable)?.Dispose();

        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {name} | {count:N0} | {retained:N0} | {(double)retained / count:F1} | {(double)allocated / count:F0} |"));
    }

    // Calls store once per entry with a numbered reference request: a new user-message string each time.
    private static void Fill(Action<ChatRequest> store)
    {
        for (int i = 0; i < Entries; i++)
        {
            store(ReferenceRequests.Numbered(i));
        }
    }

    private static long HeapAfterFullCollection()
    {
        for (int i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
