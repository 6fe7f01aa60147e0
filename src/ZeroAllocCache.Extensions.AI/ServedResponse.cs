using System.Runtime.CompilerServices;

using Microsoft.Extensions.AI;

namespace ZeroAllocCache.Extensions.AI;

/// <summary>
/// What the middleware keeps beside each cached <see cref="ChatResponse"/>: the completed task that every hit
/// returns, so a hit allocates no task, and whether the caller that paid for the model call has taken it yet.
/// </summary>
/// <remarks>
/// Attached to the response object itself through a <see cref="ConditionalWeakTable{TKey, TValue}"/>, so it lives
/// exactly as long as the response: when the cache evicts the response and nothing else holds it, both go.
/// </remarks>
internal sealed class ServedResponse
{
    private static readonly ConditionalWeakTable<ChatResponse, ServedResponse> s_table = [];

    // 0 while the response of a model call has not reached the caller that made the call.
    private int _claimed;

    private ServedResponse(ChatResponse response, bool claimed)
    {
        Task = System.Threading.Tasks.Task.FromResult(response);
        _claimed = claimed ? 1 : 0;
    }

    /// <summary>A completed task whose result is the response.</summary>
    public Task<ChatResponse> Task { get; }

    /// <summary>
    /// Records a response fresh from the model. The first caller to <see cref="TryClaim"/> it is the one the call was
    /// made for; every other caller that receives it was spared a call. Pass <paramref name="claimed"/> when the
    /// caller that made the call already has the response.
    /// </summary>
    public static void Track(ChatResponse response, bool claimed) =>
        s_table.AddOrUpdate(response, new ServedResponse(response, claimed));

    /// <summary>Returns the entry of a response; one stored by other means counts as already claimed.</summary>
    public static ServedResponse Of(ChatResponse response) =>
        s_table.TryGetValue(response, out ServedResponse? served)
            ? served
            : s_table.GetValue(response, static r => new ServedResponse(r, claimed: true));

    /// <summary>
    /// Returns <see langword="true"/> once per tracked model call: for the caller that pays for it. Every later
    /// caller (a hit, or a concurrent request that shared the call) gets <see langword="false"/>: a call saved.
    /// </summary>
    public bool TryClaim() => Volatile.Read(ref _claimed) == 0 && Interlocked.Exchange(ref _claimed, 1) == 0;
}
