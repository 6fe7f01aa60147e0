// Writes the demo's bundled workload: a few hours of chat-completions traffic from three assistants, as JSON Lines.
// Deterministic: the same seed writes the same file, byte for byte.
//
//   cd src/ZeroAllocCache.Demo/Workload && dotnet run generate-workload.cs -- workload.jsonl
//
// README.md beside this file explains the choices.

using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

const int Seed = 20251101;
const int Requests = 3_000;
const double ZipfExponent = 1.05;
// The share of requests that follow up on an earlier answer, and of those that follow up twice.
const double FollowUpShare = 0.12;
const double SecondFollowUpShare = 0.25;
// The share of first questions typed differently (lower case, no question mark, a preamble): exact match misses them.
const double RephrasedShare = 0.06;
// Poisson arrivals over about four hours.
const double MeanGapSeconds = 4.8;

string output = args.Length > 0 ? args[0] : "workload.jsonl";

Assistant[] assistants =
[
    new(
        Share: 0.5,
        SystemPrompt: "You are the support assistant of Acme Cloud, a hosting platform for web apps. Answer in at most five sentences and name the exact dashboard menu path.",
        Models: [("gpt-4o-mini", 0.85), ("gpt-4o", 0.15)],
        Temperatures: [(0.2f, 1.0)],
        MaxTokens: 400,
        Questions:
        [
            .. Fill("How do I {0}?",
                "reset my password", "enable two-factor authentication", "add a custom domain", "renew my SSL certificate",
                "roll back a deployment", "change my billing plan", "download my invoices", "invite a teammate",
                "remove a teammate", "rotate my API key", "set environment variables", "connect a GitHub repository",
                "view my build logs", "increase my memory limit", "set up a staging environment", "schedule a cron job",
                "delete my account", "export my database", "restore a database backup", "move my app to another region",
                "cancel my subscription", "change the email on my account", "set up a webhook", "cap my monthly spend",
                "see my bandwidth usage", "pause an app", "transfer an app to another team", "enable autoscaling",
                "configure a health check", "redirect www to my apex domain", "add a payment method", "get a refund",
                "deploy from the command line", "change the Node.js version", "add a Redis cache", "open a support ticket",
                "set up log forwarding", "whitelist an IP address", "run a one-off command", "scale to zero at night"),
            .. Fill("Why {0}?",
                "is my deployment stuck in 'Building'", "does my site show a 502 error", "was my card declined",
                "is my app restarting every few minutes", "did my build fail with 'out of memory'",
                "is my custom domain not resolving", "was I charged twice this month",
                "are my environment variables empty at runtime", "is my database connection refused",
                "did my SSL certificate not renew", "is my site slow after the last deploy", "can't I log in with Google",
                "did my cron job not run", "is the dashboard showing the wrong region", "was my app suspended"),
            .. Fill("Does Acme Cloud support {0}?",
                "Docker images", "WebSockets", "Python 3.13", ".NET 10", "IPv6", "private networking", "GPU instances",
                "static sites", "monorepos", "Terraform", "HTTP/3", "PostgreSQL 17", "background workers",
                "preview deployments for pull requests", "single sign-on"),
        ],
        FollowUps:
        [
            "That did not work. What else can I try?", "Can you give me the exact steps?",
            "Can I do this from the CLI instead?", "Will this cause downtime?", "Does this cost extra?",
            "Where do I find that menu on mobile?",
        ]),
    new(
        Share: 0.3,
        SystemPrompt: "You are a senior C# engineer. Answer with one short explanation and one compact, compilable code sample for .NET 10.",
        Models: [("gpt-4o", 0.7), ("gpt-4o-mini", 0.3)],
        Temperatures: [(0f, 1.0)],
        MaxTokens: 800,
        Questions:
        [
            .. Fill("How do I {0} in C#?",
                "read a file line by line", "parse JSON into a record", "make an HTTP request with a timeout",
                "cancel a long-running task", "sort a list by two keys", "write a unit test with xUnit",
                "use dependency injection in a console app", "retry a failed HTTP call", "hash a password",
                "compare strings ignoring case", "format a date as ISO 8601", "run tasks in parallel with a limit",
                "read configuration from appsettings.json", "log to the console", "serialize an enum as a string",
                "deep copy an object", "convert a string to an int safely", "measure elapsed time",
                "write a background service", "stream a large file to the response", "group a list by a property",
                "remove duplicates from a list", "read environment variables", "generate a random token",
                "debounce events", "validate an email address", "call a REST API and deserialize the result",
                "write a CSV file", "zip a folder", "schedule work every five minutes", "use a channel as a queue",
                "read a large JSON file without loading it all", "mock an interface in a test",
                "check if a string is a palindrome", "flatten a list of lists", "publish a Native AOT app"),
            .. Fill("What is the difference between {0} in C#?",
                "Task and ValueTask", "a record and a class", "a struct and a class", "IEnumerable and IQueryable",
                "const and readonly", "Span<T> and Memory<T>", "ref and out", "== and Equals",
                "an abstract class and an interface", "List<T> and an array", "lock and SemaphoreSlim",
                "async void and async Task", "string and StringBuilder", "IDisposable and IAsyncDisposable",
                "First and Single"),
            .. Fill("Why does {0}?",
                "my async method deadlock when I call .Result", "my foreach throw 'Collection was modified'",
                "creating a new HttpClient per request exhaust sockets", "my LINQ query run twice",
                "the compiler say my variable may be null", "my static field keep its value between tests",
                "my Dictionary lookup throw KeyNotFoundException", "Native AOT warn about reflection",
                "my DateTime lose the time zone", "string.Split allocate so much"),
        ],
        FollowUps:
        [
            "Can you show the same with async?", "How would I unit test that?", "Is there a faster way?",
            "Does that work with Native AOT?", "Can you explain the second line?", "What are the pitfalls?",
        ]),
    new(
        Share: 0.2,
        SystemPrompt: "You are a travel planner. Suggest two or three concrete options with rough prices in EUR, and say which one you would pick.",
        Models: [("gpt-4o-mini", 1.0)],
        Temperatures: [(0.7f, 0.8), (0.2f, 0.2)],
        MaxTokens: 600,
        Questions:
        [
            .. Cities(
                "What is the best time of year to visit {0}?", "How do I get from the airport to the center of {0}?",
                "Plan a three-day trip to {0}.", "Where should I stay in {0} on a budget?",
                "What should I eat in {0}?", "Is {0} worth visiting in November?",
                "Which day trips from {0} do you recommend?"),
        ],
        FollowUps:
        [
            "What if my budget is half that?", "What about travelling with two kids?", "Which would you pick in winter?",
            "Can you make it one day shorter?", "Is it easy without a car?", "What should I book in advance?",
        ]),
];

var random = new Random(Seed);
Sampler<Assistant> pickAssistant = new(assistants, [.. assistants.Select(a => a.Share)]);
var questionPopularity = assistants.ToDictionary(a => a, a => Zipf(Shuffled(a.Questions, random), ZipfExponent));
var followUpPopularity = assistants.ToDictionary(a => a, a => Zipf(a.FollowUps, ZipfExponent));

var jsonOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
using (var file = File.Create(output))
{
    double at = 0;
    for (int i = 0; i < Requests; i++)
    {
        at += -Math.Log(1 - random.NextDouble()) * MeanGapSeconds;
        Assistant assistant = pickAssistant.Next(random);
        string question = questionPopularity[assistant].Next(random);

        var turns = new List<(string Role, string Content)>();
        if (random.NextDouble() < FollowUpShare)
        {
            turns.Add(("user", question));
            turns.Add(("assistant", EarlierAnswer(question)));
            string followUp = followUpPopularity[assistant].Next(random);
            if (random.NextDouble() < SecondFollowUpShare)
            {
                turns.Add(("user", followUp));
                turns.Add(("assistant", EarlierAnswer(question + followUp)));
                followUp = followUpPopularity[assistant].Next(random);
            }

            turns.Add(("user", followUp));
        }
        else
        {
            turns.Add(("user", random.NextDouble() < RephrasedShare ? Rephrase(question, random) : question));
        }

        using var json = new Utf8JsonWriter(file, jsonOptions);
        json.WriteStartObject();
        json.WriteNumber("at_ms", (long)(at * 1000));
        json.WriteString("model", Pick(assistant.Models, random));
        json.WriteNumber("temperature", Pick(assistant.Temperatures, random));
        json.WriteNumber("max_tokens", assistant.MaxTokens);
        json.WriteStartArray("messages");
        WriteMessage(json, "system", assistant.SystemPrompt);
        foreach ((string role, string content) in turns)
        {
            WriteMessage(json, role, content);
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.Flush();
        file.WriteByte((byte)'\n');
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Wrote {Requests} requests, {assistants.Sum(a => a.Questions.Length)} distinct first questions, to {output}."));

static void WriteMessage(Utf8JsonWriter json, string role, string content)
{
    json.WriteStartObject();
    json.WriteString("role", role);
    json.WriteString("content", content);
    json.WriteEndObject();
}

static string[] Fill(string template, params string[] values) =>
    [.. values.Select(value => string.Format(CultureInfo.InvariantCulture, template, value))];

static string[] Cities(params string[] templates)
{
    string[] cities =
    [
        "Lisbon", "Porto", "Barcelona", "Rome", "Florence", "Paris", "Amsterdam", "Berlin", "Prague", "Vienna",
        "Budapest", "Copenhagen", "Stockholm", "Edinburgh", "Dublin", "Athens", "Istanbul", "Kyoto", "Tokyo",
        "New York",
    ];
    return [.. templates.SelectMany(template => Fill(template, cities))];
}

// The earlier answer a follow-up was asked after: the same for the same question, as a model at low temperature
// answers, so that repeated follow-ups can hit.
static string EarlierAnswer(string question)
{
    string[] openings =
    [
        "Here is the short version.", "There are two ways to do this.", "This usually comes down to one setting.",
        "Good question; most people ask this at some point.",
    ];
    string[] bodies =
    [
        "Start with the default option, check the result, and only then tune it.",
        "The quickest route is the built-in one; the manual route gives you more control.",
        "Do it in a test environment first, then repeat the same steps where it matters.",
        "Pick the cheaper option unless you already know you need the extra capacity.",
    ];
    int hash = 17;
    foreach (char c in question)
    {
        hash = unchecked((hash * 31) + c);
    }

    hash &= int.MaxValue;
    return openings[hash % openings.Length] + " " + bodies[(hash / openings.Length) % bodies.Length];
}

static string Rephrase(string question, Random random) => random.Next(3) switch
{
    0 => question.ToLowerInvariant(),
    1 => question.TrimEnd('?', '.'),
    _ => "Quick question: " + question,
};

static T Pick<T>((T Value, double Weight)[] choices, Random random) =>
    new Sampler<T>([.. choices.Select(c => c.Value)], [.. choices.Select(c => c.Weight)]).Next(random);

static T[] Shuffled<T>(T[] items, Random random)
{
    T[] copy = [.. items];
    random.Shuffle(copy);
    return copy;
}

// Rank k (from 1) is chosen with a probability proportional to 1 / k^s: a few questions make most of the traffic.
static Sampler<T> Zipf<T>(T[] ranked, double exponent) =>
    new(ranked, [.. Enumerable.Range(1, ranked.Length).Select(rank => 1 / Math.Pow(rank, exponent))]);

internal sealed record Assistant(
    double Share,
    string SystemPrompt,
    (string Model, double Weight)[] Models,
    (float Temperature, double Weight)[] Temperatures,
    int MaxTokens,
    string[] Questions,
    string[] FollowUps);

/// <summary>Draws items with the given weights, by binary search over the cumulative weights.</summary>
internal sealed class Sampler<T>(T[] items, double[] weights)
{
    private readonly double[] _cumulative = Cumulate(weights);

    public T Next(Random random)
    {
        double target = random.NextDouble() * _cumulative[^1];
        int index = Array.BinarySearch(_cumulative, target);
        return items[Math.Min(index < 0 ? ~index : index + 1, items.Length - 1)];
    }

    private static double[] Cumulate(double[] weights)
    {
        double[] sums = new double[weights.Length];
        double total = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            total += weights[i];
            sums[i] = total;
        }

        return sums;
    }
}
