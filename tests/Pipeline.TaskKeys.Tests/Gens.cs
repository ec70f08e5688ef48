using System;
using CsCheck;

namespace Pipeline.TaskKeys.Tests;

/// <summary>CsCheck generators for the task-key records, biased towards the characters that matter:
/// separators, URL syntax, JSON syntax, non-ASCII, surrogate pairs and lone surrogates.</summary>
internal static class Gens
{
    private const string Tricky = "ab|:.%+ ,{}\"\\/?é€\u0000\t\n";

    /// <summary>Text of tricky characters, sometimes with a surrogate pair or a lone surrogate.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(
        (8, Gen.String[Gen.Char[Tricky], 0, 12]),
        (1, Gen.String[Gen.Char[Tricky], 0, 6].Select(s => s + "😀" + s)),
        (1, Gen.String[Gen.Char[Tricky], 0, 6].Select(s => s + "\uD800")),
        (1, Gen.String[Gen.Char['\0', '\uFFFF'], 0, 20]));

    /// <summary>Text without the separators used by the test templates: always formattable.</summary>
    public static readonly Gen<string> SafeText = Gen.String[Gen.Char["abcXYZ09-_ %+,{}\"é€"], 0, 12];

    public static readonly Gen<Revision> Revision = Gen.Frequency(
        (9, Gen.Enum<Revision>()),
        (1, Gen.Int[-2, 10].Select(i => (Revision)i)));

    public static readonly Gen<double> Double = Gen.Frequency(
        (6, Gen.Double),
        (1, Gen.OneOf(Gen.Const(double.NaN), Gen.Const(double.PositiveInfinity), Gen.Const(double.NegativeInfinity), Gen.Const(-0.0), Gen.Const(double.Epsilon), Gen.Const(double.MaxValue))));

    public static readonly Gen<DateTimeOffset> DateTimeOffset =
        from ticks in Gen.Long[System.DateTimeOffset.MinValue.Ticks + TimeSpan.TicksPerDay, System.DateTimeOffset.MaxValue.Ticks - TimeSpan.TicksPerDay]
        from minutes in Gen.Int[-14 * 60, 14 * 60]
        select new DateTimeOffset(ticks, TimeSpan.FromMinutes(minutes));

    public static readonly Gen<RevisionTask> RevisionTask =
        from key in Text
        from revision in Revision
        select new RevisionTask(key, revision);

    public static readonly Gen<CopyTask> CopyTask =
        from orig in Text
        from copy in Text
        select new CopyTask(orig, copy);

    public static readonly Gen<Pair> Pair =
        from left in Text
        from right in Text
        select new Pair(left, right);

    public static readonly Gen<WholeKey> WholeKey = Text.Select(key => new WholeKey(key));

    private static readonly Gen<(Guid Id, int Count, long Size, double Ratio, decimal Price, bool Flag)> Scalars =
        from id in Gen.Guid
        from count in Gen.Int
        from size in Gen.Long
        from ratio in Double
        from price in Gen.Decimal
        from flag in Gen.Bool
        select (id, count, size, ratio, price, flag);

    private static readonly Gen<(DateTimeOffset At, Revision Mode, int? Limit, string Name, string? Note, Revision? Level)> Rest =
        from at in DateTimeOffset
        from mode in Revision
        from limit in Gen.Int.Nullable()
        from name in Text
        from note in Text.Null()
        from level in Revision.Nullable()
        select (at, mode, limit, name, note, level);

    public static readonly Gen<AllTypes> AllTypes =
        from s in Scalars
        from r in Rest
        select new AllTypes(s.Id, s.Count, s.Size, s.Ratio, s.Price, s.Flag, r.At, r.Mode, r.Limit, r.Name, r.Note, r.Level);

    public static readonly Gen<AllTypesJson> AllTypesJson =
        from s in Scalars
        from r in Rest
        from suffix in Text
        select new AllTypesJson(s.Id, s.Count, s.Size, s.Ratio, s.Price, s.Flag, r.At, r.Mode, r.Limit, r.Name, r.Note, r.Level, suffix);

    /// <summary>Any string, and strings that look nearly like valid keys of each layout.</summary>
    public static readonly Gen<string> AnyKey = Gen.Frequency(
        (3, Gen.String),
        (3, Text),
        (2, RevisionTask.Select(r => r.TryFormat().IfFail(r.Key))),
        (2, AllTypes.Select(a => a.TryFormat().IfFail("v1:"))),
        (2, AllTypesJson.Select(a => a.TryFormat().IfFail("{}"))),
        (2, from json in AllTypesJson.Select(a => a.TryFormat().IfFail("{}"))
            from cut in Gen.Int[0, 200]
            select json[..Math.Min(cut, json.Length)]),
        (1, Gen.String[Gen.Char["{}[]\":,0123456789.eE+-truefalsn \\u"], 0, 40]));
}
