using System.Data.Common;

namespace IocTwin.Persistence;

public static class DbConnectionCommands
{
    /// <summary>A command with named parameters, the same on SQLite and PostgreSQL (both take <c>@name</c>).</summary>
    public static DbCommand Command(this DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
