namespace ZeroAllocCache;

/// <summary>
/// The files around a snapshot: the temporary file a save writes before it renames it over the snapshot, created
/// with the snapshot's permissions, and the temporary files a crash left behind.
/// </summary>
internal static class SnapshotFiles
{
    private const string TemporarySuffix = ".tmp";

    // Owner read and write only: a new snapshot holds cached answers, which may be private.
    private const UnixFileMode NewFileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>A new temporary path beside <paramref name="file"/>: hidden, and unique to this save.</summary>
    public static string TemporaryPathFor(string file) =>
        Path.Combine(Path.GetDirectoryName(file)!, $".{Path.GetFileName(file)}.{Guid.NewGuid():N}{TemporarySuffix}");

    /// <summary>Creates the temporary file, with the mode of the snapshot it will replace, or owner-only for a first one.</summary>
    public static FileStream CreateTemporary(string temporary, string file)
    {
        FileStreamOptions options = new()
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = 1,
            Options = FileOptions.Asynchronous,
        };

        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = File.Exists(file) ? File.GetUnixFileMode(file) : NewFileMode;
        }

        return new FileStream(temporary, options);
    }

    /// <summary>Deletes a temporary file a failed save leaves; a failure to do so must not hide the save's own.</summary>
    public static void TryDelete(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Deletes the temporary files of saves of <paramref name="file"/> that a crash interrupted.</summary>
    /// <returns>The number deleted.</returns>
    public static int DeleteLeftovers(string file)
    {
        string? folder = Path.GetDirectoryName(file);
        if (folder is null || !Directory.Exists(folder))
        {
            return 0;
        }

        int deleted = 0;
        foreach (string leftover in Directory.EnumerateFiles(folder, $".{Path.GetFileName(file)}.*{TemporarySuffix}"))
        {
            TryDelete(leftover);
            deleted++;
        }

        return deleted;
    }
}
