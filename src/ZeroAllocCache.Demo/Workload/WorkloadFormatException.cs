namespace ZeroAllocCache.Demo.Workload;

/// <summary>A workload line that is not a valid request. The message names the file and the line.</summary>
public sealed class WorkloadFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkloadFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public WorkloadFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure behind it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The failure behind it.</param>
    public WorkloadFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for line <paramref name="line"/> of <paramref name="file"/>.</summary>
    /// <param name="file">The file, as the user named it.</param>
    /// <param name="line">The 1-based line number.</param>
    /// <param name="reason">What is wrong with the line.</param>
    /// <param name="innerException">The failure behind it, if any.</param>
    public WorkloadFormatException(string file, int line, string reason, Exception? innerException = null)
        : base($"{file}:{line}: {reason}", innerException)
    {
        File = file;
        Line = line;
    }

    /// <summary>The file, as the user named it.</summary>
    public string? File { get; }

    /// <summary>The 1-based line number.</summary>
    public int Line { get; }
}
