using System.Text.Json;

using ZeroAllocCache.Benchmarks.Throughput;

namespace ZeroAllocCache.Benchmarks.HitRatio;

/// <summary>A request trace: the id of each request's key, in order, and how many distinct keys it has.</summary>
/// <param name="Name">What the trace is.</param>
/// <param name="Requests">Key ids, 0 to <paramref name="DistinctKeys"/> − 1.</param>
/// <param name="DistinctKeys">The number of distinct keys.</param>
public sealed record HitRatioTrace(string Name, int[] Requests, int DistinctKeys);

/// <summary>The traces of issue 19's hit-ratio goals.</summary>
public static class HitRatioTraces
{
    /// <summary>
    /// Zipf 0.9 over popular keys, where 70% of requests are one-off prompts never asked again; with
    /// <paramref name="scans"/>, every 20,000 requests a scan of 5,000 one-off prompts in a row.
    /// </summary>
    public static HitRatioTrace OneOffHeavy(bool scans, int requests = 300_000, int popular = 20_000, int seed = 19)
    {
        int[] ranks = new ZipfDistribution(popular, 0.9).Sample(requests, seed);
        Random random = new(seed + 1);
        List<int> trace = new(requests + (requests / 4));
        int next = popular; // one-off ids come after the popular ones
        for (int i = 0; i < requests; i++)
        {
            if (scans && i % 20_000 == 19_999)
            {
                for (int s = 0; s < 5_000; s++)
                {
                    trace.Add(next++);
                }
            }

            trace.Add(random.NextDouble() < 0.7 ? next++ : ranks[i]);
        }

        int[] ids = [.. trace];
        return Compact(scans ? "Zipf 0.9, 70% one-off, periodic scans" : "Zipf 0.9, 70% one-off", ids);
    }

    /// <summary>The demo's bundled workload: each line's request (everything but its arrival time) is a key.</summary>
    public static HitRatioTrace DemoWorkload(string path)
    {
        Dictionary<string, int> ids = new(StringComparer.Ordinal);
        List<int> trace = [];
        foreach (string line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using JsonDocument document = JsonDocument.Parse(line);
            string request = string.Join('\u001f', document.RootElement.EnumerateObject().Where(p => p.Name != "at_ms").Select(p => p.Name + "=" + p.Value.GetRawText()));
            if (!ids.TryGetValue(request, out int id))
            {
                id = ids.Count;
                ids.Add(request, id);
            }

            trace.Add(id);
        }

        return new HitRatioTrace("the demo's workload", [.. trace], ids.Count);
    }

    // Renumbers the ids densely, in order of first appearance.
    private static HitRatioTrace Compact(string name, int[] ids)
    {
        Dictionary<int, int> dense = [];
        int[] requests = new int[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            if (!dense.TryGetValue(ids[i], out int id))
            {
                id = dense.Count;
                dense.Add(ids[i], id);
            }

            requests[i] = id;
        }

        return new HitRatioTrace(name, requests, dense.Count);
    }
}
