using System;
using System.Buffers;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using LanguageExt;
using LanguageExt.Common;

namespace Pipeline.S3Control;

/// <summary>
/// The REST-XML bodies of the S3 Control job API, as one codec over the job service's JSON (the
/// AWS CLI's <c>--cli-input-json</c> shape, which <see cref="Engine.JobService"/> reads and
/// <see cref="Engine.JobServiceJson"/> writes): a request body (<c>&lt;CreateJobRequest&gt;</c>,
/// <c>&lt;PutJobTaggingRequest&gt;</c>) becomes the JSON object of its root's members; an answer's JSON
/// becomes <c>&lt;XxxResult xmlns="…2018-08-20/"&gt;</c>. Lists, maps, booleans, numbers, empty
/// structures and renamed members follow <see cref="S3ControlShapes"/>. Reading is namespace-agnostic
/// and order-independent, refuses DTDs (no entity expansion, no external resolution), and every
/// failure is a <see cref="S3ControlXmlError"/> that names what is wrong and where. Pure.
/// </summary>
public static class S3ControlXml
{
    /// <summary>How deep a request body may nest (the deepest S3 Control request member is far less). A
    /// deeper body is refused by a streaming scan before it is loaded: the conversion recurses, and a
    /// reader's cost per element grows with the depth, so a deep body could exhaust the stack or the CPU.</summary>
    private const int MaxDepth = 32;

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        MaxCharactersInDocument = 16 * 1024 * 1024,
    };

    private static readonly XmlWriterSettings WriterSettings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        OmitXmlDeclaration = false,
        Indent = false,
        NewLineHandling = NewLineHandling.Entitize,
    };

    /// <summary>
    /// The members of the request body's root <paramref name="root"/> as a JSON object (UTF-8). An
    /// empty body is an empty object. Malformed XML, another root, a repeated member, text mixed with
    /// elements or a map entry without its key are errors naming the element's path.
    /// </summary>
    public static Fin<byte[]> RequestToJson(ReadOnlyMemory<byte> body, string root)
    {
        if (IsBlank(body.Span))
        {
            return "{}"u8.ToArray();
        }

        XElement element;
        try
        {
            using (var scan = XmlReader.Create(new MemoryStream(body.ToArray(), writable: false), ReaderSettings))
            {
                while (scan.Read())
                {
                    if (scan.Depth >= MaxDepth)
                    {
                        return S3ControlXmlError.Malformed($"the request body is nested deeper than {MaxDepth} elements (no S3 Control request is)");
                    }
                }
            }

            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, ReaderSettings);
            element = XElement.Load(reader, LoadOptions.PreserveWhitespace);
        }
        catch (XmlException e)
        {
            return S3ControlXmlError.Malformed($"the request body is not well-formed XML: {e.Message}");
        }

        if (element.Name.LocalName != root)
        {
            return S3ControlXmlError.Malformed($"the request body's root element is <{element.Name.LocalName}>; this operation takes <{root}>");
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Max(256, body.Length));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var problem = WriteStructure(writer, element, root);
            if (problem is not null)
            {
                return S3ControlXmlError.Malformed(problem);
            }
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <c>&lt;?xml …?&gt;&lt;<paramref name="root"/> xmlns="…"&gt;</c> holding the members of the JSON
    /// object <paramref name="json"/> (an answer of <see cref="Engine.JobServiceJson"/>); members whose
    /// names are not the API's (<c>Pipeline.*</c>) are left out. An empty <paramref name="json"/> gives
    /// an empty root.
    /// </summary>
    public static byte[] ResultFromJson(string root, ReadOnlySpan<byte> json)
    {
        using var stream = new MemoryStream(json.Length + 256);
        using (var writer = XmlWriter.Create(stream, WriterSettings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement(root, S3ControlShapes.Namespace);
            if (!IsBlank(json))
            {
                using var document = JsonDocument.Parse(json.ToArray());
                WriteMembers(writer, document.RootElement);
            }

            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        return stream.ToArray();
    }

    /// <summary>S3 Control's error body: <c>&lt;ErrorResponse&gt;&lt;Error&gt;&lt;Code/&gt;&lt;Message/&gt;&lt;/Error&gt;&lt;RequestId/&gt;&lt;HostId/&gt;&lt;/ErrorResponse&gt;</c>;
    /// <paramref name="details"/> (S3's extra elements of a refusal: <c>StringToSign</c>, <c>ServerTime</c> …) follow the message inside <c>&lt;Error&gt;</c>.</summary>
    public static byte[] ErrorResponse(string code, string message, string requestId, string hostId, IReadOnlyList<KeyValuePair<string, string>>? details = null)
    {
        using var stream = new MemoryStream(256 + message.Length);
        using (var writer = XmlWriter.Create(stream, WriterSettings))
        {
            writer.WriteStartDocument();
            writer.WriteStartElement("ErrorResponse");
            writer.WriteStartElement("Error");
            writer.WriteElementString("Code", code);
            writer.WriteElementString("Message", XmlSafe(message));
            foreach (var (name, value) in details ?? [])
            {
                writer.WriteElementString(XmlConvert.EncodeLocalName(name), XmlSafe(value));
            }

            writer.WriteEndElement();
            writer.WriteElementString("RequestId", requestId);
            writer.WriteElementString("HostId", hostId);
            writer.WriteEndElement();
            writer.WriteEndDocument();
        }

        return stream.ToArray();
    }

    /// <summary>Text with the characters XML 1.0 cannot carry (control characters, lone surrogates) replaced by U+FFFD.</summary>
    internal static string XmlSafe(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (!IsXmlChar(text, i))
            {
                var builder = new StringBuilder(text.Length);
                for (var j = 0; j < text.Length; j++)
                {
                    if (IsXmlChar(text, j))
                    {
                        builder.Append(text[j]);
                        if (char.IsHighSurrogate(text[j]))
                        {
                            builder.Append(text[++j]);
                        }
                    }
                    else
                    {
                        builder.Append('\uFFFD');
                    }
                }

                return builder.ToString();
            }

            if (char.IsHighSurrogate(text[i]))
            {
                i++;
            }
        }

        return text;
    }

    private static bool IsXmlChar(string text, int i)
    {
        var c = text[i];
        if (char.IsHighSurrogate(c))
        {
            return i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]);
        }

        return !char.IsLowSurrogate(c) && (c is '\t' or '\n' or '\r' || (c >= 0x20 && c != 0xFFFE && c != 0xFFFF));
    }

    private static bool IsBlank(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return false;
            }
        }

        return true;
    }

    // ---------------------------------------------------------------- XML → JSON

    /// <summary>Writes <paramref name="element"/>'s child elements as a JSON object; a problem's text, or null.</summary>
    private static string? WriteStructure(Utf8JsonWriter writer, XElement element, string path)
    {
        if (HasText(element) && element.HasElements)
        {
            return $"{path} mixes text with elements";
        }

        if (!element.HasElements && HasText(element))
        {
            return $"{path} must hold elements, not the text \"{Shorten(element.Value)}\"";
        }

        writer.WriteStartObject();
        var seen = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        foreach (var child in element.Elements())
        {
            var name = S3ControlShapes.JsonName(child.Name.LocalName);
            var childPath = path + "." + child.Name.LocalName;
            if (!seen.Add(name))
            {
                return $"{childPath} appears more than once";
            }

            writer.WritePropertyName(name);
            var problem = WriteValue(writer, child, name, childPath);
            if (problem is not null)
            {
                return problem;
            }
        }

        writer.WriteEndObject();
        return null;
    }

    private static string? WriteValue(Utf8JsonWriter writer, XElement element, string name, string path)
    {
        if (S3ControlShapes.StructureLists.ContainsKey(name) || S3ControlShapes.StringLists.Contains(name))
        {
            return WriteList(writer, element, structures: !S3ControlShapes.StringLists.Contains(name), path);
        }

        if (S3ControlShapes.Maps.Contains(name))
        {
            return WriteMap(writer, element, path);
        }

        if (element.HasElements)
        {
            return WriteStructure(writer, element, path);
        }

        if (!HasText(element) && S3ControlShapes.EmptyStructures.Contains(name))
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
            return null;
        }

        WriteScalar(writer, name, element.Value);
        return null;
    }

    private static string? WriteList(Utf8JsonWriter writer, XElement element, bool structures, string path)
    {
        if (HasText(element))
        {
            return $"{path} is a list: its items must be elements (<member>), not the text \"{Shorten(element.Value)}\"";
        }

        writer.WriteStartArray();
        var index = 0;
        foreach (var item in element.Elements())
        {
            var itemPath = $"{path}[{index++}]";
            if (structures)
            {
                var problem = WriteStructure(writer, item, itemPath);
                if (problem is not null)
                {
                    return problem;
                }
            }
            else if (item.HasElements)
            {
                return $"{itemPath} must be text, not elements";
            }
            else
            {
                writer.WriteStringValue(item.Value);
            }
        }

        writer.WriteEndArray();
        return null;
    }

    private static string? WriteMap(Utf8JsonWriter writer, XElement element, string path)
    {
        if (HasText(element))
        {
            return $"{path} is a map: it must hold <entry><key/><value/></entry> elements, not the text \"{Shorten(element.Value)}\"";
        }

        writer.WriteStartObject();
        var keys = new System.Collections.Generic.HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in element.Elements())
        {
            var key = entry.Elements().FirstOrDefault(e => e.Name.LocalName == "key");
            var value = entry.Elements().FirstOrDefault(e => e.Name.LocalName == "value");
            if (entry.Name.LocalName != "entry" || key is null || key.HasElements || (value?.HasElements ?? false))
            {
                return $"{path} is a map: each item must be <entry><key>text</key><value>text</value></entry>, found <{entry.Name.LocalName}> without a text <key>";
            }

            if (!keys.Add(key.Value))
            {
                return $"{path} has the key \"{Shorten(key.Value)}\" more than once";
            }

            writer.WriteString(key.Value, value?.Value ?? string.Empty);
        }

        writer.WriteEndObject();
        return null;
    }

    /// <summary>A boolean or number member as JSON's boolean or number when its text is one (the job
    /// rules report a text that is not); every other member as a string.</summary>
    private static void WriteScalar(Utf8JsonWriter writer, string name, string text)
    {
        if (S3ControlShapes.Booleans.Contains(name) && text is "true" or "false")
        {
            writer.WriteBooleanValue(text == "true");
        }
        else if (S3ControlShapes.Numbers.Contains(name) && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
        {
            writer.WriteNumberValue(number);
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    private static bool HasText(XElement element) => element.Nodes().OfType<XText>().Any(t => !string.IsNullOrWhiteSpace(t.Value))
        || (!element.HasElements && element.Value.Length > 0);

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 60), "…");

    // ---------------------------------------------------------------- JSON → XML

    private static void WriteMembers(XmlWriter writer, JsonElement structure)
    {
        foreach (var member in structure.EnumerateObject())
        {
            if (member.Name.StartsWith("Pipeline.", StringComparison.Ordinal))
            {
                continue;
            }

            WriteMember(writer, member.Name, member.Value);
        }
    }

    private static void WriteMember(XmlWriter writer, string name, JsonElement value)
    {
        writer.WriteStartElement(S3ControlShapes.XmlName(name));
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                var item = S3ControlShapes.StructureLists.TryGetValue(name, out var itemName) ? itemName : S3ControlShapes.ListItem;
                foreach (var element in value.EnumerateArray())
                {
                    WriteMember(writer, item, element);
                }

                break;
            case JsonValueKind.Object when S3ControlShapes.Maps.Contains(name):
                foreach (var entry in value.EnumerateObject())
                {
                    writer.WriteStartElement("entry");
                    writer.WriteElementString("key", XmlSafe(entry.Name));
                    writer.WriteElementString("value", XmlSafe(entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString()! : entry.Value.GetRawText()));
                    writer.WriteEndElement();
                }

                break;
            case JsonValueKind.Object:
                WriteMembers(writer, value);
                break;
            case JsonValueKind.String:
                writer.WriteString(XmlSafe(value.GetString()!));
                break;
            case JsonValueKind.True:
                writer.WriteString("true");
                break;
            case JsonValueKind.False:
                writer.WriteString("false");
                break;
            case JsonValueKind.Number:
                writer.WriteString(value.GetRawText());
                break;
            default:
                break;
        }

        writer.WriteEndElement();
    }
}

/// <summary>A request body that is not the XML its operation takes: S3's <c>MalformedXML</c> (400).</summary>
public sealed record S3ControlXmlError : Expected
{
    /// <summary>S3's error code for XML that is not well-formed or not the operation's shape.</summary>
    public const string MalformedXml = "MalformedXML";

    /// <summary>The error code of every <see cref="S3ControlXmlError"/>.</summary>
    public const int ErrorCode = 4611;

    private S3ControlXmlError(string message)
        : base(message, ErrorCode, Option<Error>.None)
    {
    }

    /// <summary>The error for <paramref name="message"/>.</summary>
    public static S3ControlXmlError Malformed(string message) => new(message);
}
