extern alias WorkerAssembly;
using System.Text.Json;
using WorkerAssembly::JobLogs.Worker.ComfyUI;
using WorkerAssembly::JobLogs.Worker.Failures;

namespace JobLogs.Tests.ComfyUI;

/// <summary>
/// What a real ComfyUI v0.8.0 answered (the recording) becomes a card that says where and what next: every recorded 400
/// to POST /prompt, and every recorded execution_error, from /history and from the WebSocket.
/// </summary>
public sealed class PromptErrorTests
{
    /// <summary>Recorded label → (type, where, rule) of its card.</summary>
    private static readonly Dictionary<string, (string Type, string? Where, string Rule)> Rejections = new()
    {
        ["c missing checkpoint"] = ("value_not_in_list", "node 1 CheckpointLoaderSimple, input ckpt_name", "model-missing"),
        ["d unknown class"] = ("invalid_prompt", "node 1 NoSuchNodeXYZ", "unknown-node"),
        ["d2 node without class_type"] = ("invalid_prompt", "node 1", "invalid-workflow"),
        ["e SaveImage without images"] = ("required_input_missing", "node 1 SaveImage, input images", "invalid-input"),
        ["e3 no output node"] = ("prompt_no_outputs", null, "invalid-workflow"),
        ["f width 0"] = ("value_smaller_than_min", "node 1 EmptyImage, input width", "invalid-input"),
        ["f width -5"] = ("value_smaller_than_min", "node 1 EmptyImage, input width", "invalid-input"),
        ["f width 99999"] = ("value_bigger_than_max", "node 1 EmptyImage, input width", "invalid-input"),
        ["f width 'abc'"] = ("invalid_input_type", "node 1 EmptyImage, input width", "invalid-input"),
        ["f combo not in list"] = ("value_not_in_list", "node 3 ImageScale, input upscale_method", "invalid-input"),
        ["f LATENT into IMAGE"] = ("return_type_mismatch", "node 2 SaveImage, input images", "invalid-input"),
        ["f link to missing node"] = ("exception_during_validation", "node 2 SaveImage", "invalid-input"),
        ["f link to missing output slot"] = ("exception_during_validation", "node 2 SaveImage", "invalid-input"),
        ["j {}"] = ("no_prompt", null, "invalid-workflow"),
        ["j prompt {}"] = ("prompt_no_outputs", null, "invalid-workflow"),
        ["j body is a JSON list"] = ("no_prompt", null, "invalid-workflow"),
        ["j text/plain JSON"] = ("prompt_no_outputs", null, "invalid-workflow"),
    };

    /// <summary>Recorded prompt label → (node where, exception type) of its execution_error; each is a node error.</summary>
    private static readonly Dictionary<string, (string Where, string Type)> ExecutionErrors = new()
    {
        ["g1 LoadImage corrupt file"] = ("node 1 LoadImage", "PIL.UnidentifiedImageError"),
        ["g2 CheckpointLoaderSimple corrupt file"] = ("node 1 CheckpointLoaderSimple", "safetensors._safetensors_rust.SafetensorError"),
        ["g3 SaveImage prefix ../"] = ("node 2 SaveImage", "Exception"),
        ["g4 runtime error without client_id"] = ("node 1 LoadImage", "PIL.UnidentifiedImageError"),
    };

    public static TheoryData<string> RecordedRejections => [.. Rejections.Keys];

    [Fact]
    public void Every_400_in_the_recording_is_covered()
    {
        var recorded = Capture.HttpEvents()
            .Where(e => e.Event.GetProperty("status").GetInt32() == 400 && e.Event.GetProperty("response_body").TryGetProperty("json", out _))
            .Select(e => e.Event.Str("label")!)
            .ToHashSet();
        Assert.Equal(recorded.Order(), Rejections.Keys.Order());
    }

    [Theory]
    [MemberData(nameof(RecordedRejections))]
    public void A_recorded_400_becomes_a_validation_card_with_its_node_and_rule(string label)
    {
        var exchange = Capture.HttpEvents().Single(e => e.Event.Str("label") == label).Event;
        var answer = exchange.GetProperty("response_body").GetProperty("json");
        var prompt = exchange.TryGetProperty("request_body", out var body) && body.TryGetProperty("prompt", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        string? ClassOf(string id) => prompt.ValueKind == JsonValueKind.Object && prompt.TryGetProperty(id, out var node) ? node.Str("class_type") : null;

        var card = HintRules.Apply(PromptErrors.FromRejection(answer, ClassOf));

        var (type, where, rule) = Rejections[label];
        Assert.Equal((type, where, rule), (card.Type, card.Where, card.Rule));
        Assert.Equal(("comfyui", "validate"), (card.Component, card.Stage));
        Assert.StartsWith("ComfyUI refused the workflow: ", card.Message);
        var error = answer.GetProperty("error");
        var nodeErrors = answer.GetProperty("node_errors").EnumerateObject().ToList();
        // The card keeps ComfyUI's own words: the node error's message and details, or the prompt error's.
        var words = nodeErrors.Count > 0 ? nodeErrors[0].Value.GetProperty("errors")[0] : error;
        Assert.Contains(words.Str("message")!, card.Message);
        Assert.Contains(words.Str("details")!, card.Message);
        Assert.False(string.IsNullOrWhiteSpace(card.Hint));
    }

    [Fact]
    public void The_newer_servers_missing_node_type_names_the_node_and_says_a_custom_node_may_be_missing()
    {
        var answer = JsonDocument.Parse("""
            {"error": {"type": "missing_node_type", "message": "Node 'My Missing Node' not found. The custom node may not be installed.",
                       "details": "Node ID '#1'", "extra_info": {"node_id": "1", "class_type": "NoSuchNodeXYZ", "node_title": "My Missing Node"}},
             "node_errors": {}}
            """).RootElement;
        var card = HintRules.Apply(PromptErrors.FromRejection(answer, _ => null));
        Assert.Equal(("missing_node_type", "node 1 NoSuchNodeXYZ", "unknown-node"), (card.Type, card.Where, card.Rule));
    }

    [Fact]
    public void Every_recorded_execution_error_becomes_a_node_card_from_history_and_from_the_websocket()
    {
        var seen = new HashSet<string>();
        foreach (var (_, e) in Capture.Events("capture-errors.json"))
        {
            if (e.Str("kind") == "http" && e.Str("label") is { } label && label.EndsWith(" history")
                && ExecutionErrors.TryGetValue(label[..^" history".Length], out var expected))
            {
                var entry = e.GetProperty("response_body").GetProperty("json").EnumerateObject().Single().Value;
                var history = PromptHistory.Parse(entry);
                Assert.False(history.Succeeded);
                Assert.Empty(history.Outputs);
                AssertCard(history.ExecutionError!.Value, expected);
                seen.Add(label);
            }
            if (e.Str("kind") == "ws_slice")
                foreach (var message in e.GetProperty("messages").EnumerateArray())
                    if (message.Str("type") == "text" && message.GetProperty("data").Str("type") == "execution_error")
                    {
                        var data = message.GetProperty("data").GetProperty("data");
                        var recorded = ExecutionErrors.Values.First(x => x.Where == $"node {data.Str("node_id")} {data.Str("node_type")}");
                        AssertCard(data, recorded);
                        seen.Add("ws " + data.Str("prompt_id"));
                    }
        }
        Assert.Equal(ExecutionErrors.Count, seen.Count(s => s.EndsWith(" history")));
        Assert.Equal(3, seen.Count(s => s.StartsWith("ws "))); // g4 had no client id: ComfyUI sent its error to no socket
    }

    private static void AssertCard(JsonElement error, (string Where, string Type) expected)
    {
        var card = HintRules.Apply(PromptErrors.FromExecutionError(error));
        Assert.Equal((expected.Type, expected.Where, "execute", "comfyui", "comfyui-node-error"), (card.Type, card.Where, card.Stage, card.Component, card.Rule));
        Assert.Contains(error.Str("exception_message")!.Split('\n')[0], card.Message);
        var data = PromptErrors.ExecutionErrorData(error);
        Assert.False(data.ContainsKey("currentInputs")); // the node's inputs (possibly large, possibly private) stay out of the log
    }

    [Fact]
    public void A_successful_history_lists_every_output_file()
    {
        var entry = Capture.Events("capture-success.json")
            .Where(e => e.Event.Str("kind") == "http" && e.Event.Str("path")!.StartsWith("/history/") && e.Event.GetProperty("status").GetInt32() == 200)
            .Select(e => e.Event.GetProperty("response_body").GetProperty("json"))
            .First(j => j.EnumerateObject().Any());
        var history = PromptHistory.Parse(entry.EnumerateObject().Single().Value);
        Assert.True(history.Succeeded);
        Assert.NotEmpty(history.Outputs);
        Assert.All(history.Outputs, o => Assert.EndsWith(".png", o.Filename));
    }
}
