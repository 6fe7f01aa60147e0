using ZeroAllocCache.Demo.Models;

namespace ZeroAllocCache.Demo.Tests;

public class AssistantClientTests
{
    private static readonly ChatRequest s_request = new(
        "Be brief.", "gpt-4o-mini", 0.2f, 300, ConversationHistory.Empty, "How do I reset my password?");

    private static AssistantClient NewClient(int capacity = 16) =>
        new(new SimulatedModel(TimeSpan.Zero), new ExactMatchCache<ModelAnswer>(capacity));

    [Fact]
    public async Task A_repeated_request_is_answered_from_the_cache_without_calling_the_model()
    {
        AssistantClient client = NewClient();

        ModelAnswer first = await client.AskAsync(s_request);
        ModelAnswer second = await client.AskAsync(s_request with { UserMessage = new string(s_request.UserMessage.AsSpan()) });

        Assert.Same(first, second);
        Assert.Equal(1, client.ModelCalls);
        Assert.Equal(1, client.Stats.Hits);
    }

    [Fact]
    public async Task The_hit_carries_the_tokens_of_the_original_call()
    {
        AssistantClient client = NewClient();

        ModelAnswer answer = await client.AskAsync(s_request);
        ModelReply expected = SimulatedModel.Answer(s_request);

        Assert.Equal(expected.Text, answer.Text);
        Assert.Equal(expected.InputTokens, answer.InputTokens);
        Assert.Equal(expected.OutputTokens, answer.OutputTokens);
        Assert.True(answer.ModelTime >= TimeSpan.Zero);
    }

    public static TheoryData<ChatRequest> Variants() =>
    [
        s_request with { SystemPrompt = "Be detailed." },
        s_request with { Model = "gpt-4o" },
        s_request with { Temperature = 0.7f },
        s_request with { MaxTokens = 301 },
        s_request with { UserMessage = "how do i reset my password" },
        s_request with { History = new ConversationHistory([new ChatTurn(TurnRole.User, "Hi"), new ChatTurn(TurnRole.Assistant, "Hello!")]) },
    ];

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task A_request_that_differs_in_any_key_field_calls_the_model_again(ChatRequest variant)
    {
        AssistantClient client = NewClient();

        await client.AskAsync(s_request);
        await client.AskAsync(variant);

        Assert.Equal(2, client.ModelCalls);
    }

    [Fact]
    public async Task The_same_follow_up_after_a_different_history_is_a_different_request()
    {
        AssistantClient client = NewClient();
        ChatRequest afterPasswords = s_request with
        {
            History = new([new ChatTurn(TurnRole.User, "How do I reset my password?"), new ChatTurn(TurnRole.Assistant, "Open Settings.")]),
            UserMessage = "That did not work.",
        };
        ChatRequest afterBilling = afterPasswords with
        {
            History = new([new ChatTurn(TurnRole.User, "How do I change my plan?"), new ChatTurn(TurnRole.Assistant, "Open Settings.")]),
        };
        // The same turns with the roles swapped must not collide either.
        ChatRequest swappedRoles = afterPasswords with
        {
            History = new([new ChatTurn(TurnRole.Assistant, "How do I reset my password?"), new ChatTurn(TurnRole.User, "Open Settings.")]),
        };

        await client.AskAsync(afterPasswords);
        await client.AskAsync(afterBilling);
        await client.AskAsync(swappedRoles);
        await client.AskAsync(afterPasswords with { History = new(afterPasswords.History.Turns) });

        Assert.Equal(3, client.ModelCalls);
    }

    [Fact]
    public void The_simulated_model_answers_the_same_request_the_same_way_and_counts_every_message()
    {
        ChatRequest withHistory = s_request with
        {
            History = new([new ChatTurn(TurnRole.User, new string('u', 40)), new ChatTurn(TurnRole.Assistant, new string('a', 80))]),
        };

        Assert.Equal(SimulatedModel.Answer(s_request), SimulatedModel.Answer(s_request with { }));
        Assert.NotEqual(SimulatedModel.Answer(s_request).Text, SimulatedModel.Answer(s_request with { Model = "gpt-4o" }).Text);
        // 4 framing tokens per message and about 4 characters a token: 40 characters are 10 tokens, 80 are 20.
        Assert.Equal(SimulatedModel.InputTokens(s_request) + (4 + 10) + (4 + 20), SimulatedModel.InputTokens(withHistory));
        Assert.InRange(SimulatedModel.Answer(s_request with { MaxTokens = 50 }).OutputTokens, 1, 50);
    }
}
