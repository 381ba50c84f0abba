using Serilog.Events;
using Serilog.Parsing;

namespace JobLogs.ServiceDefaults.Logging;

internal static class TemplateTokens
{
    // Serilog keeps a template's tokens in an array; any other shape is copied.
    public static IReadOnlyList<MessageTemplateToken> Of(MessageTemplate template) =>
        template.Tokens as IReadOnlyList<MessageTemplateToken> ?? [.. template.Tokens];
}
