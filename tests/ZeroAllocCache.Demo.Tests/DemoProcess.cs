using System.Diagnostics;

namespace ZeroAllocCache.Demo.Tests;

/// <summary>
/// The demo run as its own process, the way a user starts it: <c>dotnet ZeroAllocCache.Demo.dll ...</c>, from the demo's
/// own build output (this project's output lacks what the demo needs beside it: the tests run on ASP.NET Core's shared
/// framework, the demo on .NET's alone).
/// </summary>
internal static class DemoProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static async Task<DemoRun> RunAsync(params string[] args)
    {
        ProcessStartInfo start = new(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = DemoOutput,
        };
        start.ArgumentList.Add(Path.Combine(DemoOutput, "ZeroAllocCache.Demo.dll"));
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        using CancellationTokenSource timeout = new(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The demo did not finish within {Timeout}: {string.Join(' ', args)}");
        }

        return new DemoRun(process.ExitCode, await output, await error);
    }

    // This project's bin/<configuration>/<framework>, applied to the demo's project folder.
    private static string DemoOutput
    {
        get
        {
            DirectoryInfo output = new(AppContext.BaseDirectory);
            DirectoryInfo project = output.Parent!.Parent!.Parent!;
            string demo = Path.Combine(project.Parent!.Parent!.FullName, "src", "ZeroAllocCache.Demo", "bin", output.Parent.Name, output.Name);
            return File.Exists(Path.Combine(demo, "ZeroAllocCache.Demo.dll"))
                ? demo
                : throw new InvalidOperationException($"The demo is not built at {demo}; build the solution first.");
        }
    }

    // The host running these tests is dotnet itself; a test runner started otherwise finds it on the PATH.
    private static string DotnetHost() =>
        Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";
}
