namespace Pipeline.Packaging.Tests;

/// <summary>The one fact these tests read from an ELF executable: the machine it is for.</summary>
internal static class Elf
{
    public const int X86_64 = 62;

    public const int AArch64 = 183;

    /// <summary>e_machine of a 64-bit little-endian ELF file (fails the test for anything else).</summary>
    public static int Machine(string path)
    {
        var head = new byte[20];
        using (var file = File.OpenRead(path))
        {
            file.ReadExactly(head);
        }

        Assert.True(head[0] == 0x7F && head[1] == 'E' && head[2] == 'L' && head[3] == 'F', $"{path} is not an ELF file");
        Assert.True(head[4] == 2 && head[5] == 1, $"{path} is not a 64-bit little-endian ELF file");
        return head[18] | (head[19] << 8);
    }
}
