using System.Runtime.CompilerServices;

using BenchmarkDotNet.Attributes;

using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ZeroAllocCache.Benchmarks;

/// <summary>
/// Issue 6: one cache hit through an <see cref="IChatClient"/> pipeline, <c>UseExactMatchCache</c> against
/// Microsoft.Extensions.AI's <c>UseDistributedCache</c> over a <see cref="MemoryDistributedCache"/>.
/// </summary>
/// <remarks>
/// The same request for both: a 600-character system message, a 430-character user message, a model id, a
/// temperature and a max output token count. It is built once; each benchmark call is only the pipeline call, whose
/// task (completed, on a hit) BenchmarkDotNet awaits. Both pipelines hold the response already, so every call is a
/// hit and the model behind them is never called.
/// </remarks>
[MemoryDiagnoser]
public class ChatClientCacheBenchmarks : IDisposable
{
    private const string SystemSentence =
        "You are a careful assistant for a travel company. Answer in plain English, cite the policy section you rely on, ";

    private const string UserSentence =
        "I booked a flight from Oslo to Rome for the fourth of May and need to change the date, what does it cost? ";

    private CountingChatClient _model = null!;
    private IChatClient _exactMatch = null!;
    private IChatClient _distributed = null!;
    private List<ChatMessage> _messages = null!;
    private ChatOptions _options = null!;

    /// <summary>Builds both pipelines over the same model and stores the response in each.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _model = new CountingChatClient();
        _exactMatch = new ChatClientBuilder(_model)
            .UseExactMatchCache(new ExactMatchCache<ChatResponse>(maxSize: 1024))
            .Build();
        _distributed = new ChatClientBuilder(_model)
            .UseDistributedCache(new MemoryDistributedCache(Options.Create(new MemoryDistributedCacheOptions())))
            .Build();

        _messages =
        [
            new ChatMessage(ChatRole.System, Repeat(SystemSentence, 600)),
            new ChatMessage(ChatRole.User, Repeat(UserSentence, 430)),
        ];
        _options = new ChatOptions { ModelId = "gpt-4o-mini", Temperature = 0.2f, MaxOutputTokens = 512 };

        _ = UseExactMatchCache_hit().GetAwaiter().GetResult();
        _ = UseDistributedCache_hit().GetAwaiter().GetResult();
        int calls = _model.Calls;
        _ = UseExactMatchCache_hit().GetAwaiter().GetResult();
        _ = UseDistributedCache_hit().GetAwaiter().GetResult();
        if (_model.Calls != calls || calls != 2)
        {
            throw new InvalidOperationException("Both pipelines must answer the request from their cache.");
        }
    }

    /// <summary>A hit through M.E.AI's <c>DistributedCachingChatClient</c>: the request serialised to JSON and hashed, the response deserialised.</summary>
    /// <returns>The cached response.</returns>
    [Benchmark(Baseline = true)]
    public Task<ChatResponse> UseDistributedCache_hit() => _distributed.GetResponseAsync(_messages, _options);

    /// <summary>A hit through <c>ExactMatchCachingChatClient</c>: the request keyed field by field, the stored response returned.</summary>
    /// <returns>The cached response.</returns>
    [Benchmark]
    public Task<ChatResponse> UseExactMatchCache_hit() => _exactMatch.GetResponseAsync(_messages, _options);

    /// <summary>Disposes both pipelines.</summary>
    public void Dispose()
    {
        _exactMatch?.Dispose();
        _distributed?.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string Repeat(string sentence, int length) =>
        string.Concat(Enumerable.Repeat(sentence, (length / sentence.Length) + 1))[..length];

    /// <summary>The model: answers at once and counts its calls, which a hit must not make.</summary>
    private sealed class CountingChatClient : IChatClient
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public Task<ChatResponse> GetResponseAsync(
            IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Changing the date costs 40 EUR plus any fare difference (policy 4.2)."))
            {
                ModelId = "gpt-4o-mini",
                FinishReason = ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 260, OutputTokenCount = 18, TotalTokenCount = 278 },
            });
        }

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            ChatResponse response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            foreach (ChatResponseUpdate update in response.ToChatResponseUpdates())
            {
                yield return update;
            }
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

        public void Dispose()
        {
        }
    }
}
