namespace JobLogs.Testing;

/// <summary>API-format workflows the stand-in runs (comfyui-standin/README.md): each one shows what it tests.</summary>
public static class Workflows
{
    /// <summary>Checkpoint → prompts → latent → KSampler → VAEDecode → SaveImage; seeds keep the stand-in's cache out of the way.</summary>
    public static Dictionary<string, object> TextToImage(
        long seed, string checkpoint = "sd15-demo.safetensors", int width = 64, int height = 64, int batch = 1, int steps = 4,
        string prefix = "joblogs-test") => new()
    {
        ["1"] = new { class_type = "CheckpointLoaderSimple", inputs = new { ckpt_name = checkpoint }, _meta = new { title = "Load Checkpoint" } },
        ["2"] = new { class_type = "CLIPTextEncode", inputs = new { text = "a lighthouse at dusk", clip = new object[] { "1", 1 } } },
        ["3"] = new { class_type = "CLIPTextEncode", inputs = new { text = "blurry", clip = new object[] { "1", 1 } } },
        ["4"] = new { class_type = "EmptyLatentImage", inputs = new { width, height, batch_size = batch } },
        ["5"] = new
        {
            class_type = "KSampler",
            inputs = new
            {
                model = new object[] { "1", 0 }, positive = new object[] { "2", 0 }, negative = new object[] { "3", 0 },
                latent_image = new object[] { "4", 0 }, seed, steps, cfg = 7.0, sampler_name = "euler", scheduler = "normal", denoise = 1.0,
            },
        },
        ["6"] = new { class_type = "VAEDecode", inputs = new { samples = new object[] { "5", 0 }, vae = new object[] { "1", 2 } } },
        ["7"] = new { class_type = "SaveImage", inputs = new { images = new object[] { "6", 0 }, filename_prefix = prefix } },
    };

    /// <summary>A workflow of one stand-in trigger node (StandInCrash, StandInServerError, StandInGarbage).</summary>
    public static Dictionary<string, object> Trigger(string classType, object inputs) =>
        new() { ["1"] = new { class_type = classType, inputs } };

    /// <summary>A seed no other test uses, so the stand-in's output cache never answers for a node.</summary>
    public static long NewSeed() => Random.Shared.NextInt64(1, long.MaxValue);
}
