using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;

using ZeroAllocCache.Benchmarks.Requests;

namespace ZeroAllocCache.Benchmarks.Compare;

/// <summary>
/// Times the hits of several builds of ZeroAllocCache in one process, in interleaved rounds, for the small and the
/// reference request: the 5-field <c>TryGet</c> (LRU, and SIEVE and S3-FIFO's lock-free hits when every build has
/// them), and the <c>[CachedLlmCall]</c> wrapper that each build's generator wrote into its own copy of this project
/// (<see cref="Contenders.CachedAssistant"/>).
/// </summary>
/// <remarks>
/// <para>
/// On this shared machine speed drifts by 20 to 30% between processes, more than most changes to the hit path are
/// worth; BenchmarkDotNet runs one build at a time and cannot separate the two. Here each build is loaded into its own
/// <see cref="AssemblyLoadContext"/> (so each has its own statics, prefix table included) and the builds take turns,
/// round after round, so drift reaches them alike. The call goes through a delegate, which adds a few nanoseconds to
/// every build: compare the builds with each other, not with BenchmarkDotNet's numbers.
/// </para>
/// <para>
/// A build is any directory holding a <c>ZeroAllocCache.dll</c>, such as the output of this project built from a
/// <c>git worktree</c> of another commit; the wrapper is timed when the directory also holds this project's
/// <c>ZeroAllocCache.Benchmarks.dll</c>. The builds are bound by reflection, so this harness is not trimmable, which
/// a developer's tool need not be.
/// </para>
/// </remarks>
public static class BuildComparison
{
    private const int Rounds = 40;
    private const int WarmUpCalls = 1_000_000;
    private const int ResidentRequests = 1024;

    private const string BenchmarksAssembly = "ZeroAllocCache.Benchmarks";

    private delegate ValueTask<string> AskAsync(
        string userMessage, string systemPrompt, string model, float temperature, int maxTokens, CancellationToken cancellationToken);

    private delegate bool TryGetHit(
        string userMessage, string systemPrompt, string model, float temperature, int maxTokens, out string? value);

    /// <summary>Times every build and prints a markdown table: minimum, 25th percentile and median of the rounds.</summary>
    /// <param name="args"><c>[calls per round] build-directory...</c>.</param>
    public static void Run(string[] args)
    {
        int callsPerRound = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out int calls) ? calls : 200_000;
        string[] directories = [.. args.SkipWhile(a => int.TryParse(a, CultureInfo.InvariantCulture, out _))];
        if (directories.Length == 0)
        {
            throw new ArgumentException("Name at least one directory that holds a ZeroAllocCache.dll.", nameof(args));
        }

        Console.WriteLine("| Path | Request | Build | Min (ns) | P25 (ns) | Median (ns) |");
        Console.WriteLine("|---|---|---|---:|---:|---:|");
        foreach ((string name, ChatRequest request) in new[] { ("Small", ReferenceRequests.Small), ("Reference", ReferenceRequests.Reference) })
        {
            AssemblyLoadContext[] contexts = [.. directories.Select(LoadBuild)];
            TryGetHit[] hits = [.. contexts.Select(context => WarmCache(context, request))];
            ChatRequest arriving = request.Arriving();
            Report("5-field TryGet", name, directories, Measure(hits, arriving, callsPerRound));

            if (contexts.All(HasPolicies))
            {
                foreach (string policy in new[] { "Sieve", "S3Fifo" })
                {
                    TryGetHit[] lockFree = [.. contexts.Select(context => WarmCache(context, request, policy))];
                    Report($"5-field TryGet, {policy}", name, directories, Measure(lockFree, arriving, callsPerRound));
                }
            }

            if (directories.All(HasWrapper))
            {
                TryGetHit[] wrapped = [.. contexts.Select(context => WarmWrapper(context, request))];
                Report("generated wrapper", name, directories, Measure(wrapped, arriving, callsPerRound));
            }
        }
    }

    private static void Report(string path, string request, string[] directories, double[][] rounds)
    {
        for (int build = 0; build < rounds.Length; build++)
        {
            double[] sorted = [.. rounds[build].Order()];
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {path} | {request} | {directories[build]} | {sorted[0]:F1} | {sorted[sorted.Length / 4]:F1} | {sorted[sorted.Length / 2]:F1} |"));
        }
    }

    private static bool HasWrapper(string directory) => File.Exists(Path.Combine(directory, BenchmarksAssembly + ".dll"));

    // A context of its own for the build, its runtime loaded first so that the wrapper binds to it and not to ours.
    private static AssemblyLoadContext LoadBuild(string directory)
    {
        string path = Path.GetFullPath(directory);
        AssemblyLoadContext context = new(path);
        context.LoadFromAssemblyPath(Path.Combine(path, "ZeroAllocCache.dll"));
        return context;
    }

    // The build's generated wrapper, holding the request among others, so that every timed call is a hit.
    private static TryGetHit WarmWrapper(AssemblyLoadContext context, ChatRequest request)
    {
        Assembly benchmarks = context.LoadFromAssemblyPath(Path.Combine(context.Name!, BenchmarksAssembly + ".dll"));
        Type assistantType = benchmarks.GetType("ZeroAllocCache.Benchmarks.Contenders.CachedAssistant", throwOnError: true)!;
        object assistant = Activator.CreateInstance(assistantType, 2 * ResidentRequests)!;
        AskAsync ask = assistantType.GetMethod("AskAsync")!.CreateDelegate<AskAsync>(assistant);
        for (int i = 0; i < ResidentRequests; i++)
        {
            ChatRequest resident = request.WithMaxTokens(request.MaxTokens + i);
            _ = ask(resident.UserMessage, resident.SystemPrompt, resident.Model, resident.Temperature, resident.MaxTokens, default).AsTask().GetAwaiter().GetResult();
        }

        return (string userMessage, string systemPrompt, string model, float temperature, int maxTokens, out string? value) =>
        {
            ValueTask<string> hit = ask(userMessage, systemPrompt, model, temperature, maxTokens, default);
            if (!hit.IsCompletedSuccessfully)
            {
                throw new InvalidOperationException($"The wrapper of {context.Name} missed a request it holds.");
            }

            value = hit.Result;
            return true;
        };
    }

    // Builds from issue 19 on have eviction policies, set through the options.
    private static bool HasPolicies(AssemblyLoadContext context) =>
        CoreOf(context).GetType("ZeroAllocCache.CacheEvictionPolicy") is not null;

    private static Assembly CoreOf(AssemblyLoadContext context) => context.Assemblies.Single(a => a.GetName().Name == "ZeroAllocCache");

    // A cache of the build (LRU, or the policy named), holding the request among others, so that every timed call is a hit.
    private static TryGetHit WarmCache(AssemblyLoadContext context, ChatRequest request, string? policy = null)
    {
        Assembly assembly = CoreOf(context);
        Type cacheType = assembly.GetType("ZeroAllocCache.ExactMatchCache`1", throwOnError: true)!.MakeGenericType(typeof(string));
        object cache;
        if (policy is null)
        {
            cache = Activator.CreateInstance(cacheType, 2 * ResidentRequests, null, null)!;
        }
        else
        {
            Type optionsType = assembly.GetType("ZeroAllocCache.ExactMatchCacheOptions`1", throwOnError: true)!.MakeGenericType(typeof(string));
            object options = Activator.CreateInstance(optionsType)!;
            optionsType.GetProperty("MaxSize")!.SetValue(options, 2 * ResidentRequests);
            optionsType.GetProperty("EvictionPolicy")!.SetValue(options, Enum.Parse(assembly.GetType("ZeroAllocCache.CacheEvictionPolicy", throwOnError: true)!, policy));
            cache = Activator.CreateInstance(cacheType, options)!;
        }

        MethodInfo put = cacheType.GetMethod(
            "Put", [typeof(string), typeof(string), typeof(string), typeof(float), typeof(int), typeof(string)])!;
        for (int i = 0; i < ResidentRequests; i++)
        {
            ChatRequest resident = request.WithMaxTokens(request.MaxTokens + i);
            put.Invoke(cache, [resident.UserMessage, resident.SystemPrompt, resident.Model, resident.Temperature, resident.MaxTokens, "answer"]);
        }

        MethodInfo tryGet = cacheType.GetMethod(
            "TryGet",
            [typeof(string), typeof(string), typeof(string), typeof(float), typeof(int), typeof(string).MakeByRefType()])!;
        TryGetHit hit = tryGet.CreateDelegate<TryGetHit>(cache);
        if (!hit(request.UserMessage, request.SystemPrompt, request.Model, request.Temperature, request.MaxTokens, out _))
        {
            throw new InvalidOperationException($"The build in {context.Name} missed a request it holds.");
        }

        return hit;
    }

    // Every round times each build once, starting with a different build each round.
    private static double[][] Measure(TryGetHit[] hits, ChatRequest request, int callsPerRound)
    {
        for (int call = 0; call < WarmUpCalls; call++)
        {
            foreach (TryGetHit hit in hits)
            {
                hit(request.UserMessage, request.SystemPrompt, request.Model, request.Temperature, request.MaxTokens, out _);
            }
        }

        double[][] rounds = [.. hits.Select(_ => new double[Rounds])];
        for (int round = 0; round < Rounds; round++)
        {
            for (int turn = 0; turn < hits.Length; turn++)
            {
                int build = (round + turn) % hits.Length;
                TryGetHit hit = hits[build];
                long start = Stopwatch.GetTimestamp();
                for (int call = 0; call < callsPerRound; call++)
                {
                    hit(request.UserMessage, request.SystemPrompt, request.Model, request.Temperature, request.MaxTokens, out _);
                }

                rounds[build][round] = Stopwatch.GetElapsedTime(start).TotalNanoseconds / callsPerRound;
            }
        }

        return rounds;
    }
}
