using Microsoft.Extensions.AI;

namespace ZeroAllocCache.Extensions.AI;

/// <summary>
/// A delegating chat client that answers repeated requests from an <see cref="ExactMatchCache{TValue}"/>: the
/// Microsoft.Extensions.AI middleware of ZeroAllocCache, added with
/// <see cref="ExactMatchCachingChatClientBuilderExtensions.UseExactMatchCache"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Key.</b> Every part of the request that can change the answer: each message's role, author name and contents
/// (text, reasoning, data by media type and bytes, URIs, function calls by name and arguments, function results,
/// errors) and property bags; the model id, instructions, temperature, top-p, top-k, max output tokens, penalties,
/// seed, stop sequences, response format with its schema, tool mode, tools (name, description, parameter schema),
/// reasoning options and additional properties of <see cref="ChatOptions"/>; whether the call streams; a format
/// version. Message ids, timestamps, raw representations and tool call ids are not part of it. The key is hashed
/// field by field, without serialising the request: a text-only request is keyed, and a hit answered, without
/// allocating.
/// </para>
/// <para>
/// <b>Bypass.</b> A request goes to the inner client uncached when <see cref="EnableCaching"/> says so (by default,
/// when it has a <see cref="ChatOptions.ConversationId"/>, whose server-side state the key cannot see) and when it
/// holds something that cannot be keyed faithfully: content of another kind (hosted files, tool approvals...),
/// annotations, property values other than JSON elements and scalars, hosted tools, options of a type derived from
/// <see cref="ChatOptions"/> (whose own properties the key cannot see), a
/// <see cref="ChatOptions.RawRepresentationFactory"/>, a continuation token or background responses. Such requests
/// are never answered from the cache, so never answered wrongly.
/// </para>
/// <para>
/// <b>Hits are shared.</b> A hit returns the very <see cref="ChatResponse"/> instance that was stored, to every
/// caller: treat it as immutable. Concurrent identical requests make one call to the inner client; the others wait
/// for its response. A call that fails or is cancelled stores nothing.
/// </para>
/// <para>
/// <b>Streaming.</b> On a miss, updates are passed through as they arrive, read from the provider at the pace of the
/// caller that asked, and the response coalesced from them with
/// <see cref="ChatResponseExtensions.ToChatResponse(IEnumerable{ChatResponseUpdate})"/> is stored; a hit replays it
/// with <see cref="ChatResponse.ToChatResponseUpdates"/> (with <see cref="CoalesceStreamingUpdates"/> off, the
/// updates are stored and replayed as they came). Streaming and non-streaming requests have different keys:
/// a coalesced stream is not the response a non-streaming call returns, so neither answers for the other. A
/// streaming request that joins an identical one in progress receives the replayed response once it completes. The
/// response is stored exactly when the provider's stream was read to its end: a caller that stops early or cancels
/// cancels the call, and a provider that still finishes its stream has produced a complete response, which is stored.
/// </para>
/// <para>
/// <b>Per-request control.</b> Set <see cref="NoCachePropertyName"/> or <see cref="NoStorePropertyName"/> to
/// <see langword="true"/>, <see cref="PartitionPropertyName"/> to a partition's name, or <see cref="TtlPropertyName"/>
/// to a TTL in <see cref="ChatOptions.AdditionalProperties"/>. They are removed (from a copy of the options; the
/// caller's are untouched) before the request is keyed or forwarded, so they never reach the provider.
/// </para>
/// <para>
/// <b>Tenants.</b> A request in a partition (<see cref="PartitionPropertyName"/>, or <see cref="PartitionSelector"/>)
/// is answered only from that partition's entries, and its response is stored there only: one tenant's answer never
/// serves another's identical request.
/// </para>
/// </remarks>
public class ExactMatchCachingChatClient : DelegatingChatClient
{
    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key that makes one request skip the cache read: the model
    /// is called and its response replaces the stored one. Its value must be <see langword="true"/> or
    /// <see langword="false"/>.
    /// </summary>
    public const string NoCachePropertyName = "zeroalloccache.no-cache";

    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key that makes one request read the cache but never write
    /// it: a hit is answered, a miss calls the model and keeps nothing. Its value must be <see langword="true"/> or
    /// <see langword="false"/>. With <see cref="NoCachePropertyName"/> too, the request passes straight through.
    /// </summary>
    public const string NoStorePropertyName = "zeroalloccache.no-store";

    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key that puts one request in a partition of the cache (a
    /// tenant's, for example; see <see cref="ExactMatchCache{TValue}.Partition(string)"/>): its response is looked up
    /// and stored there only, where no other partition sees it. Its value is the partition's name, a non-empty
    /// string. It takes precedence over <see cref="PartitionSelector"/>.
    /// </summary>
    public const string PartitionPropertyName = "zeroalloccache.partition";

    /// <summary>
    /// The <see cref="ChatOptions.AdditionalProperties"/> key that gives one request's response a TTL of its own, in
    /// place of the cache's. Its value is a <see cref="TimeSpan"/> above zero (or its text, such as <c>"00:05:00"</c>).
    /// </summary>
    public const string TtlPropertyName = "zeroalloccache.ttl";

    private static readonly Func<InnerCall, CancellationToken, ValueTask<ChatResponse>> s_callInner =
        static (call, cancellationToken) => call.Client.CallInnerAsync(call.Messages, call.Options, cancellationToken);

    private static readonly Func<StreamingFlight, CancellationToken, ValueTask<ChatResponse>> s_runFlight =
        StreamingFlight.RunAsync;

    private readonly Lock _metricsLock = new();
    private object[]? _cacheKeyAdditionalValues;
    private CacheMetricsRegistration? _metrics;

    /// <summary>Creates the middleware over <paramref name="innerClient"/>.</summary>
    /// <param name="innerClient">The client that answers misses.</param>
    /// <param name="cache">The cache of responses; it may be shared with other clients.</param>
    /// <exception cref="ArgumentNullException"><paramref name="innerClient"/> or <paramref name="cache"/> is <see langword="null"/>.</exception>
    public ExactMatchCachingChatClient(IChatClient innerClient, ExactMatchCache<ChatResponse> cache)
        : base(innerClient)
    {
        ArgumentNullException.ThrowIfNull(cache);
        Cache = cache;
    }

    /// <summary>The cache of responses.</summary>
    public ExactMatchCache<ChatResponse> Cache { get; }

    /// <summary>
    /// Chooses the partition of a request that does not name one with <see cref="PartitionPropertyName"/>, for apps
    /// that take the tenant from their own context (the signed-in user, the request's host); <see langword="null"/>
    /// from it, or no selector (the default), means the cache's own entries. It receives the request's messages and
    /// its options without cache directives, and runs on every cached request, hits included: keep it cheap.
    /// </summary>
    public Func<IEnumerable<ChatMessage>, ChatOptions?, string?>? PartitionSelector { get; set; }

    /// <summary>
    /// Values mixed into every key this client computes, as <c>DistributedCachingChatClient.CacheKeyAdditionalValues</c>
    /// does: a deployment's prompt version, a tenant-independent feature flag. <see langword="null"/> (the default)
    /// and an empty list add nothing, so the keys are those of a client without them. The list is copied when set.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A value is of a kind the key cannot write faithfully: use strings, Booleans, numbers, <see cref="Guid"/>,
    /// <see cref="DateTime"/>, <see cref="DateTimeOffset"/>, <see cref="TimeSpan"/> or <see cref="System.Text.Json.JsonElement"/>.
    /// </exception>
    public IReadOnlyList<object>? CacheKeyAdditionalValues
    {
        get => _cacheKeyAdditionalValues;
        set
        {
            object[]? copy = value?.ToArray();
            foreach (object item in copy ?? [])
            {
                if (!ChatClientRequestKeySource.CanWrite(item))
                {
                    throw new ArgumentException($"A cache key value of type {item.GetType()} cannot be keyed faithfully; use a string, a number, a Boolean or a JsonElement.", nameof(value));
                }
            }

            _cacheKeyAdditionalValues = copy;
        }
    }

    /// <summary>
    /// Whether a streamed response is stored coalesced (the default, <see langword="true"/>): adjacent text merged into
    /// one response, replayed as one update per message, as M.E.AI's <c>CachingChatClient</c> does; or, when
    /// <see langword="false"/>, stored and replayed update by update, as the provider sent them.
    /// </summary>
    public bool CoalesceStreamingUpdates { get; set; } = true;

    /// <summary>
    /// The model calls this client answered without calling the inner client (cache hits, and requests that shared
    /// a concurrent identical request's call), with the input and output tokens of the responses they received.
    /// </summary>
    public ModelCallSavings Savings { get; } = new();

    /// <summary>
    /// The <see cref="CacheMetrics.CacheNameTag"/> under which <see cref="Savings"/> is reported by the
    /// <see cref="CacheMetrics"/> meter, or <see langword="null"/> (the default) to not report it. Use the name the
    /// cache is registered under with <see cref="CacheMetrics.Register{TValue}(ExactMatchCache{TValue}, string)"/>.
    /// Reporting stops when the client is disposed.
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string? MetricsName
    {
        get => _metrics?.Name;
        set
        {
            if (value is not null)
            {
                ArgumentException.ThrowIfNullOrWhiteSpace(value);
            }

            lock (_metricsLock)
            {
                _metrics?.Dispose();
                _metrics = value is null ? null : CacheMetrics.Register(Savings, value);
            }
        }
    }

    /// <summary>
    /// Computes the key under which this middleware stores the response to a request, for example to
    /// <see cref="ExactMatchCache{TValue}.Invalidate(in CacheKey)"/> it.
    /// </summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options; cache directives in them are ignored.</param>
    /// <param name="streaming">Whether the key is that of a streaming request.</param>
    /// <param name="key">The key, when the request can be cached.</param>
    /// <returns><see langword="false"/> if the request holds something that cannot be keyed faithfully.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A cache directive in <paramref name="options"/> is not a Boolean.</exception>
    /// <remarks>
    /// The key of a client without <see cref="CacheKeyAdditionalValues"/>; a client with them computes its own with
    /// <see cref="TryGetCacheKey"/>.
    /// </remarks>
    public static bool TryCreateCacheKey(
        IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, out CacheKey key)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ChatOptions? keyed = CacheControl.Strip(options, out _);
        return TryCreateKey(AsList(messages), options, keyed, streaming, additionalValues: null, out key);
    }

    /// <summary>
    /// Computes the key under which this client stores the response to a request, its
    /// <see cref="CacheKeyAdditionalValues"/> included.
    /// </summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options; cache directives in them are ignored.</param>
    /// <param name="streaming">Whether the key is that of a streaming request.</param>
    /// <param name="key">The key, when the request can be cached.</param>
    /// <returns><see langword="false"/> if the request holds something that cannot be keyed faithfully.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A cache directive in <paramref name="options"/> is not of its kind.</exception>
    public bool TryGetCacheKey(IEnumerable<ChatMessage> messages, ChatOptions? options, bool streaming, out CacheKey key)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ChatOptions? keyed = CacheControl.Strip(options, out _);
        return TryCreateKey(AsList(messages), options, keyed, streaming, _cacheKeyAdditionalValues, out key);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A cache directive in <paramref name="options"/> is not a Boolean.</exception>
    /// <remarks>A hit completes synchronously and allocates nothing: the returned task is kept with the response.</remarks>
    public override Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ChatOptions? forwarded = CacheControl.Strip(options, out CacheControl control);
        if (!EnableCaching(messages, forwarded))
        {
            return InnerClient.GetResponseAsync(messages, forwarded, cancellationToken);
        }

        IList<ChatMessage> list = AsList(messages);
        if (!TryCreateKey(list, options, forwarded, streaming: false, _cacheKeyAdditionalValues, out CacheKey key))
        {
            return InnerClient.GetResponseAsync(list, forwarded, cancellationToken);
        }

        if (control.NoCache)
        {
            return control.NoStore
                ? InnerClient.GetResponseAsync(list, forwarded, cancellationToken)
                : RefreshAsync(TargetOf(list, forwarded, control), key, list, forwarded, cancellationToken);
        }

        CacheTarget target = TargetOf(list, forwarded, control);
        if (control.NoStore)
        {
            return target.TryGet(in key, out ChatResponse? stored)
                ? Serve(stored)
                : InnerClient.GetResponseAsync(list, forwarded, cancellationToken);
        }

        ValueTask<ChatResponse> pending = target.GetOrAddAsync(
            key, new InnerCall(this, list, forwarded), s_callInner, cancellationToken);
        return pending.IsCompletedSuccessfully ? Serve(pending.Result) : ServeWhenDoneAsync(pending);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentNullException"><paramref name="messages"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">A cache directive in <paramref name="options"/> is not a Boolean.</exception>
    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        ChatOptions? forwarded = CacheControl.Strip(options, out CacheControl control);
        if (!EnableCaching(messages, forwarded))
        {
            return InnerClient.GetStreamingResponseAsync(messages, forwarded, cancellationToken);
        }

        IList<ChatMessage> list = AsList(messages);
        if (!TryCreateKey(list, options, forwarded, streaming: true, _cacheKeyAdditionalValues, out CacheKey key))
        {
            return InnerClient.GetStreamingResponseAsync(list, forwarded, cancellationToken);
        }

        if (control.NoCache && control.NoStore)
        {
            return InnerClient.GetStreamingResponseAsync(list, forwarded, cancellationToken);
        }

        CacheTarget target = TargetOf(list, forwarded, control);
        if (control.NoCache)
        {
            return StreamAndStoreAsync(target, key, list, forwarded, cancellationToken);
        }

        return control.NoStore
            ? ReplayOrStreamAsync(target, key, list, forwarded, cancellationToken)
            : StreamSharedAsync(target, key, list, forwarded, cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Also answers <see cref="ExactMatchCache{TValue}"/> of <see cref="ChatResponse"/> and <see cref="ModelCallSavings"/>.</remarks>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is null)
        {
            if (serviceType == typeof(ExactMatchCache<ChatResponse>))
            {
                return Cache;
            }

            if (serviceType == typeof(ModelCallSavings))
            {
                return Savings;
            }
        }

        return base.GetService(serviceType, serviceKey);
    }

    /// <summary>Decides whether a request may be answered from, and stored in, the cache.</summary>
    /// <param name="messages">The request's messages.</param>
    /// <param name="options">The request's options, cache directives removed.</param>
    /// <returns>
    /// <see langword="true"/> to use the cache; <see langword="false"/> to pass the request to the inner client
    /// without reading or writing the cache. The default is <see langword="true"/> unless
    /// <see cref="ChatOptions.ConversationId"/> is set: the conversation's state lives on the server, where the key
    /// cannot see it, and may change under the same id.
    /// </returns>
    protected virtual bool EnableCaching(IEnumerable<ChatMessage> messages, ChatOptions? options) =>
        options?.ConversationId is null;

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_metricsLock)
            {
                _metrics?.Dispose();
                _metrics = null;
            }
        }

        base.Dispose(disposing);
    }

    // Options of a type other than ChatOptions itself may carry properties the key cannot see: such requests bypass
    // the cache. Checked on the caller's options too, since a subclass's Clone (which strips directives) may lose its type.
    private static bool TryCreateKey(
        IList<ChatMessage> messages, ChatOptions? original, ChatOptions? forwarded, bool streaming, object[]? additionalValues, out CacheKey key)
    {
        if (original is not null && original.GetType() != typeof(ChatOptions))
        {
            key = default;
            return false;
        }

        return ChatClientRequestKeySource.TryCreateKey(messages, forwarded, streaming, additionalValues, out key);
    }

    // The request's partition (its directive, else the selector's choice) and TTL.
    private CacheTarget TargetOf(IList<ChatMessage> messages, ChatOptions? forwarded, in CacheControl control)
    {
        string? partition = control.Partition ?? PartitionSelector?.Invoke(messages, forwarded);
        return new CacheTarget(Cache, partition is null ? null : Cache.Partition(partition), control.Ttl);
    }

    // Lists are read in place; any other sequence is read once, here, and the copy is what the inner client gets.
    private static IList<ChatMessage> AsList(IEnumerable<ChatMessage> messages) =>
        messages as IList<ChatMessage> ?? [.. messages];

    // Answers a caller with a response the cache produced: the stored task, and a saved call unless this caller is
    // the one the model was called for.
    private Task<ChatResponse> Serve(ChatResponse response)
    {
        ServedResponse served = ServedResponse.Of(response);
        if (!served.TryClaim())
        {
            RecordSaved(response);
        }

        return served.Task;
    }

    private async Task<ChatResponse> ServeWhenDoneAsync(ValueTask<ChatResponse> pending)
    {
        ChatResponse response = await pending.ConfigureAwait(false);
        _ = Serve(response);
        return response;
    }

    private void RecordSaved(ChatResponse response)
    {
        UsageDetails? usage = response.Usage;
        Savings.RecordSavedCall(Math.Max(0, usage?.InputTokenCount ?? 0), Math.Max(0, usage?.OutputTokenCount ?? 0));
    }

    private async ValueTask<ChatResponse> CallInnerAsync(
        IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ChatResponse response = await InnerClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        ServedResponse.Track(response, claimed: false);
        return response;
    }

    private async Task<ChatResponse> RefreshAsync(
        CacheTarget target, CacheKey key, IList<ChatMessage> messages, ChatOptions? options, CancellationToken cancellationToken)
    {
        ChatResponse response = await InnerClient.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        ServedResponse.Track(response, claimed: true);
        target.Put(in key, response);
        return response;
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamSharedAsync(
        CacheTarget target,
        CacheKey key,
        IList<ChatMessage> messages,
        ChatOptions? options,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        StreamingFlight flight = new(token => InnerClient.GetStreamingResponseAsync(messages, options, token), CoalesceStreamingUpdates);

        // Cancelled when this caller stops early, so that a call nobody else waits for is abandoned, not stored.
        using CancellationTokenSource leave = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<ChatResponse> shared = target.GetOrAddAsync(key, flight, s_runFlight, leave.Token).AsTask();
        bool finished = false;
        try
        {
            await Task.WhenAny(flight.Started, shared).ConfigureAwait(false);
            if (flight.Started.IsCompleted)
            {
                // This caller's flight calls the model: pass its updates through as they arrive.
                await foreach (ChatResponseUpdate update in flight.Updates.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield return update;
                }

                _ = await shared.ConfigureAwait(false);
            }
            else
            {
                // A hit, or another caller's call in progress: replay its response.
                ChatResponse response = await shared.ConfigureAwait(false);
                RecordSaved(response);
                foreach (ChatResponseUpdate update in UncoalescedChatResponse.ReplayOf(response, CoalesceStreamingUpdates))
                {
                    yield return update;
                }
            }

            finished = true;
        }
        finally
        {
            if (!finished)
            {
                flight.ReaderLeft();
                await leave.CancelAsync().ConfigureAwait(false);
                ObserveFailure(shared);
            }
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> ReplayOrStreamAsync(
        CacheTarget target,
        CacheKey key,
        IList<ChatMessage> messages,
        ChatOptions? options,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (target.TryGet(in key, out ChatResponse? stored))
        {
            RecordSaved(stored);
            foreach (ChatResponseUpdate update in UncoalescedChatResponse.ReplayOf(stored, CoalesceStreamingUpdates))
            {
                yield return update;
            }

            yield break;
        }

        await foreach (ChatResponseUpdate update in InnerClient.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            yield return update;
        }
    }

    private async IAsyncEnumerable<ChatResponseUpdate> StreamAndStoreAsync(
        CacheTarget target,
        CacheKey key,
        IList<ChatMessage> messages,
        ChatOptions? options,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        List<ChatResponseUpdate> captured = [];
        await foreach (ChatResponseUpdate update in InnerClient.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
        {
            captured.Add(update);
            yield return update;
        }

        // Reached only when the stream completed and the caller read it all: partial streams are never stored.
        target.Put(in key, CoalesceStreamingUpdates ? captured.ToChatResponse() : new UncoalescedChatResponse(captured));
    }

    // The shared call may still fail after this caller has left; nobody else may look at its exception.
    private static void ObserveFailure(Task<ChatResponse> task) =>
        _ = task.ContinueWith(
            static t => _ = t.Exception,
            CancellationToken.None,
            TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    /// <summary>The state of a non-streaming miss: a struct, so a hit that never runs it allocates nothing.</summary>
    private readonly record struct InnerCall(
        ExactMatchCachingChatClient Client, IList<ChatMessage> Messages, ChatOptions? Options);
}
