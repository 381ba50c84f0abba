using System.Runtime.CompilerServices;
using System.Text.Encodings.Web;
using System.Text.Json;
using Serilog.Events;
using Serilog.Parsing;

namespace JobLogs.ServiceDefaults.Logging;

/// <summary>
/// What <c>data</c> takes from a template's own properties: their names, their keys in camelCase (encoded once), and
/// the <c>data.*</c> property names that would override them.
/// </summary>
internal sealed record DataPlan(string[] Names, JsonEncodedText[] Keys, string[] DataNames)
{
    // Serilog parses a template once per call site and keeps it, so its plan is worked out once too.
    private static readonly ConditionalWeakTable<MessageTemplate, DataPlan> Plans = new();

    public static DataPlan Of(MessageTemplate template) => Plans.GetValue(template, static t =>
    {
        var tokens = TemplateTokens.Of(t);
        var names = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
            if (tokens[i] is PropertyToken property && !IsTopLevel(property.PropertyName) && !SeenBefore(tokens, i, property.PropertyName))
                names.Add(property.PropertyName);
        var keys = names.Select(CamelCase).ToList();
        return new DataPlan([.. names], [.. keys.Select(k => JsonEncodedText.Encode(k, JavaScriptEncoder.UnsafeRelaxedJsonEscaping))],
            [.. keys.Select(k => LogProperties.DataPrefix + k)]);
    });

    // A template may name a property twice; data holds it once.
    private static bool SeenBefore(IReadOnlyList<MessageTemplateToken> tokens, int index, string name)
    {
        for (var i = 0; i < index; i++)
            if (tokens[i] is PropertyToken p && p.PropertyName == name)
                return true;
        return false;
    }

    private static bool IsTopLevel(string name) =>
        name is LogProperties.ProjectId or LogProperties.JobId or LogProperties.Attempt or LogProperties.Component;

    private static string CamelCase(string name) =>
        name.Length > 0 && char.IsUpper(name[0]) ? JsonNamingPolicy.CamelCase.ConvertName(name) : name;
}
