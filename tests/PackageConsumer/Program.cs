using PackageConsumer;

var bot = new SupportBot();
const string Question = "How do I reset my password?";
const string SystemPrompt = "You are a helpful support agent.";

string first = await bot.AskAsync(Question, SystemPrompt, "gpt-4o", 0.2f, 256);
string second = await bot.AskAsync(Question, SystemPrompt, "gpt-4o", 0.2f, 256);
bool removed = bot.InvalidateAskAsync(Question, SystemPrompt, "gpt-4o", 0.2f, 256);
await bot.AskAsync(Question, SystemPrompt, "gpt-4o", 0.2f, 256);

if (first != second || !removed || bot.ModelCalls != 2)
{
    Console.Error.WriteLine($"PackageConsumer: unexpected behaviour (model calls: {bot.ModelCalls}, removed: {removed}).");
    return 1;
}

Console.WriteLine("PackageConsumer: [CachedLlmCall] from the package works: a hit, an invalidation, a miss.");
return 0;
