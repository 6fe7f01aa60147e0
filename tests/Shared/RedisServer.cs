using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ZeroAllocCache.Testing;

/// <summary>
/// A real <c>redis-server</c> for the tests: started on a free 127.0.0.1 port with persistence off, stopped (or
/// killed, or paused) by the test, and gone when disposed. CI installs redis-server; a machine without it fails the
/// tests that need one with a message saying so.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private Process? _process;

    public RedisServer()
    {
        Port = FreePort();
        Start();
    }

    public int Port { get; }

    /// <summary>For <c>RedisCacheOptions.Configuration</c> and <c>ConnectionMultiplexer.Connect</c>.</summary>
    public string Configuration => $"127.0.0.1:{Port},abortConnect=false,connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts the server again on the same port, empty (nothing is persisted).</summary>
    public void Start()
    {
        if (IsRunning)
        {
            return;
        }

        string executable = FindExecutable();
        ProcessStartInfo start = new(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntil(accepting: true);
    }

    /// <summary>Kills the server at once, as a crash would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        WaitUntil(accepting: false);
    }

    /// <summary>Sends one command with redis-cli and returns its output.</summary>
    public string Command(params string[] arguments)
    {
        ProcessStartInfo start = new(Path.Combine(Path.GetDirectoryName(FindExecutable())!, "redis-cli"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-p");
        start.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process cli = Process.Start(start)!;
        string output = cli.StandardOutput.ReadToEnd();
        cli.WaitForExit();
        return output.Trim();
    }

    /// <summary>How many times the server has run <paramref name="command"/> (from INFO commandstats).</summary>
    public long CallsOf(string command)
    {
        foreach (string line in Command("INFO", "commandstats").Split('\n'))
        {
            string prefix = $"cmdstat_{command.ToLowerInvariant()}:calls=";
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                string calls = line[prefix.Length..].Split(',')[0];
                return long.Parse(calls, System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    public void Dispose()
    {
        if (_process is { } process)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }
    }

    private static string FindExecutable()
    {
        foreach (string directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append("/usr/bin").Append("/usr/local/bin"))
        {
            string candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("redis-server was not found on PATH: install it (apt-get install redis-server); .ci/run does.");
    }

    private static int FreePort()
    {
        using TcpListener listener = new(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void WaitUntil(bool accepting)
    {
        Stopwatch waited = Stopwatch.StartNew();
        while (waited.Elapsed < StartTimeout)
        {
            if (Accepts() == accepting)
            {
                return;
            }

            Thread.Sleep(25);
        }

        throw new InvalidOperationException($"redis-server on port {Port} did not {(accepting ? "start" : "stop")} within {StartTimeout}.");
    }

    private bool Accepts()
    {
        try
        {
            using TcpClient client = new();
            client.Connect(IPAddress.Loopback, Port);
            using NetworkStream stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            Span<byte> reply = stackalloc byte[7];
            int read = stream.Read(reply);
            return read >= 5 && reply[..5].SequenceEqual("+PONG"u8);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
