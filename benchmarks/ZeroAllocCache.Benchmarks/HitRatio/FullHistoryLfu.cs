namespace ZeroAllocCache.Benchmarks.HitRatio;

/// <summary>
/// The hit-ratio harness's reference bound: LFU that counts every request of every key for the whole trace (no
/// sketch, no aging, memory that grows with the distinct keys) and evicts the resident key asked least often so far.
/// On a trace whose popularity does not change, no policy that learns online ranks keys much better than this; the
/// gap between it and a policy is what that policy could still win there.
/// </summary>
/// <param name="capacity">The number of resident keys.</param>
public sealed class FullHistoryLfu(int capacity)
{
    private readonly Dictionary<int, int> _requests = [];

    // The resident keys ordered by their request count, then by id so that ties are broken deterministically.
    private readonly SortedSet<(int Count, int Id)> _resident = [];

    /// <summary>Counts a request of <paramref name="id"/> and says whether it is resident.</summary>
    public bool TryGet(int id)
    {
        int before = _requests.GetValueOrDefault(id);
        _requests[id] = before + 1;
        if (!_resident.Remove((before, id)))
        {
            return false;
        }

        _resident.Add((before + 1, id));
        return true;
    }

    /// <summary>Makes <paramref name="id"/> resident, evicting the resident key with the fewest requests if full.</summary>
    public void Add(int id)
    {
        if (_resident.Count >= capacity)
        {
            _resident.Remove(_resident.Min);
        }

        _resident.Add((_requests.GetValueOrDefault(id), id));
    }
}
