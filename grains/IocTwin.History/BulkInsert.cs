using System.Data.Common;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;
using SQLitePCL;

namespace IocTwin.History;

/// <summary>A column of a bulk insert, with its type for PostgreSQL's binary COPY.</summary>
internal sealed record BulkColumn(string Name, NpgsqlDbType PostgresType);

/// <summary>Rows in one go, in the caller's transaction: COPY on PostgreSQL, one prepared INSERT per row on SQLite.</summary>
public static class BulkInsert
{
    internal static async Task RowsAsync(DbConnection connection, string table, BulkColumn[] columns,
        IEnumerable<object[]> rows, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", columns.Select(c => c.Name));
        if (connection is NpgsqlConnection postgres)
        {
            await using var import = await postgres.BeginBinaryImportAsync($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var row in rows)
            {
                await import.StartRowAsync(cancellationToken);
                for (var i = 0; i < columns.Length; i++)
                {
                    await import.WriteAsync(row[i], columns[i].PostgresType, cancellationToken);
                }
            }
            await import.CompleteAsync(cancellationToken);
            return;
        }
        var sql = $"INSERT INTO {table} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => $"?{i + 1}"))})";
        SqliteRows((SqliteConnection)connection, sql, rows);
    }

    /// <summary>
    /// Steps one SQLite statement (parameters <c>?1</c>, <c>?2</c> ...) once per row, in the caller's transaction.
    /// </summary>
    /// <remarks>
    /// The values are bound straight to SQLite: through SqliteCommand each execution costs a reader, a binder per
    /// parameter and a UTF-8 copy per text, more than the insert itself.
    /// </remarks>
    public static void SqliteRows(SqliteConnection sqlite, string sql, IEnumerable<object?[]> rows)
    {
        Check(raw.sqlite3_prepare_v2(sqlite.Handle, sql, out var insert), sqlite);
        using (insert)
        {
            foreach (var row in rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    Check(Bind(insert, i + 1, row[i]), sqlite);
                }
                var stepped = raw.sqlite3_step(insert);
                if (stepped != raw.SQLITE_DONE)
                {
                    Check(stepped, sqlite);
                }
                Check(raw.sqlite3_reset(insert), sqlite);
            }
        }
    }

    /// <summary>
    /// Steps one SQLite statement that returns at most one row (<c>RETURNING</c>) once per row of values, in the caller's
    /// transaction: the first column of what each returned, or null where it returned nothing.
    /// </summary>
    public static long?[] SqliteReturning(SqliteConnection sqlite, string sql, IReadOnlyList<object?[]> rows)
    {
        var returned = new long?[rows.Count];
        if (rows.Count == 0)
        {
            return returned;
        }
        Check(raw.sqlite3_prepare_v2(sqlite.Handle, sql, out var statement), sqlite);
        using (statement)
        {
            for (var r = 0; r < rows.Count; r++)
            {
                var row = rows[r];
                for (var i = 0; i < row.Length; i++)
                {
                    Check(Bind(statement, i + 1, row[i]), sqlite);
                }
                var stepped = raw.sqlite3_step(statement);
                if (stepped == raw.SQLITE_ROW)
                {
                    returned[r] = raw.sqlite3_column_int64(statement, 0);
                    stepped = raw.sqlite3_step(statement);
                }
                if (stepped != raw.SQLITE_DONE)
                {
                    Check(stepped, sqlite);
                }
                Check(raw.sqlite3_reset(statement), sqlite);
            }
        }
        return returned;
    }

    private static int Bind(sqlite3_stmt insert, int index, object? value) => value switch
    {
        null => raw.sqlite3_bind_null(insert, index),
        string text => BindText(insert, index, text),
        long integer => raw.sqlite3_bind_int64(insert, index, integer),
        int integer => raw.sqlite3_bind_int64(insert, index, integer),
        double real => raw.sqlite3_bind_double(insert, index, real),
        byte[] blob => raw.sqlite3_bind_blob(insert, index, blob),
        ReadOnlyMemory<byte> blob => raw.sqlite3_bind_blob(insert, index, blob.Span),
        _ => throw new ArgumentException($"No SQLite binding for {value.GetType()}", nameof(value)),
    };

    private static int BindText(sqlite3_stmt insert, int index, string text)
    {
        // Ids and names are short: encoded on the stack; SQLite copies the bytes before the call returns.
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        Span<byte> utf8 = length <= 512 ? stackalloc byte[length] : new byte[length];
        return raw.sqlite3_bind_text(insert, index, utf8[..Encoding.UTF8.GetBytes(text, utf8)]);
    }

    private static void Check(int result, SqliteConnection connection)
    {
        if (result != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(result, connection.Handle);
        }
    }
}
