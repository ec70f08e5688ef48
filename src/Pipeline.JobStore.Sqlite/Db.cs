using System;
using Microsoft.Data.Sqlite;

namespace Pipeline.JobStore.Sqlite;

/// <summary>Small helpers for SQLite commands and the schema's value encodings.</summary>
internal static class Db
{
    /// <summary>A command on <paramref name="connection"/>, in <paramref name="transaction"/> when not null.</summary>
    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Adds <c>$name</c> = <paramref name="value"/> (null as SQL NULL); returns the command.</summary>
    public static SqliteCommand With(this SqliteCommand command, string name, object? value)
    {
        command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    /// <summary>A time as stored: Unix milliseconds.</summary>
    public static long Millis(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>A stored time.</summary>
    public static DateTimeOffset Time(long millis) => DateTimeOffset.FromUnixTimeMilliseconds(millis);

    /// <summary>The string in column <paramref name="ordinal"/>, or null.</summary>
    public static string? NullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>The time in column <paramref name="ordinal"/>, or null.</summary>
    public static DateTimeOffset? NullableTime(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Time(reader.GetInt64(ordinal));
}
