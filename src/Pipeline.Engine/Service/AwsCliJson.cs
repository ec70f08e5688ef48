using System.Text.Encodings.Web;
using System.Text.Json;

namespace Pipeline.Engine;

/// <summary>How the AWS CLI prints JSON (<c>--output json</c>): indented by 4 spaces, <c>"Name": value</c>,
/// non-ASCII text as itself (not <c>\uXXXX</c>), so output can be compared with the CLI's own.</summary>
public static class AwsCliJson
{
    /// <summary>The writer options: indented by 4 spaces (or compact), with the CLI's relaxed escaping.</summary>
    public static JsonWriterOptions Options(bool indented = true) => new()
    {
        Indented = indented,
        IndentSize = 4,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
