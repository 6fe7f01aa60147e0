using ZeroAllocCache.Demo;

using var interrupt = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Stop between requests and exit with code 130, rather than dying mid-write.
    e.Cancel = true;
    interrupt.Cancel();
};

return await DemoApp.RunAsync(args, Console.Out, Console.Error, Environment.GetEnvironmentVariable, interrupt.Token);
