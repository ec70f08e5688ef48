using System.IO.Compression;
using System.Xml.Linq;

namespace Pipeline.Packaging.Tests;

/// <summary>One package file read as NuGet reads it: its entries and its .nuspec.</summary>
internal sealed class Nupkg : IDisposable
{
    private readonly ZipArchive _zip;

    public Nupkg(string path)
    {
        Assert.True(File.Exists(path), $"{path} was not packed");
        _zip = ZipFile.OpenRead(path);
        Path = path;
        var nuspec = _zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/', StringComparison.Ordinal));
        using var stream = nuspec.Open();
        Nuspec = XDocument.Load(stream);
    }

    public string Path { get; }

    public XDocument Nuspec { get; }

    public IReadOnlyList<ZipArchiveEntry> Entries => _zip.Entries;

    public IEnumerable<string> Names => _zip.Entries.Select(e => e.FullName);

    /// <summary>A metadata element's text (<c>id</c>, <c>version</c>, <c>readme</c>, …), or null.</summary>
    public string? Metadata(string name) => Nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata")
        .Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;

    public XElement? MetadataElement(string name) => Nuspec.Root!.Elements().Single(e => e.Name.LocalName == "metadata")
        .Elements().SingleOrDefault(e => e.Name.LocalName == name);

    /// <summary>Every (id, version) the package depends on, in any target framework group.</summary>
    public IReadOnlyList<(string Id, string Version)> Dependencies =>
        [.. Nuspec.Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => (e.Attribute("id")!.Value, e.Attribute("version")!.Value))];

    public byte[] Read(string entry)
    {
        var found = _zip.GetEntry(entry);
        Assert.True(found is not null, $"{System.IO.Path.GetFileName(Path)} has no {entry} (it has: {string.Join(", ", Names)})");
        using var stream = found.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    public string ReadText(string entry) => System.Text.Encoding.UTF8.GetString(Read(entry));

    public void Dispose() => _zip.Dispose();
}
