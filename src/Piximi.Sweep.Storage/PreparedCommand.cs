using System.Data;
using System.Data.Common;

namespace Piximi.Sweep.Storage;

/// <summary>
/// One statement a worker runs thousands of times (a claim, an epoch's writes), made once with its parameters and
/// run again with new values, rather than built and parsed on every call as Dapper's would be (SQLite prepares a
/// statement anew for every command). The same for both drivers: values by name, null as NULL.
/// </summary>
internal sealed class PreparedCommand : IDisposable
{
    private readonly DbCommand _command;

    public PreparedCommand(DbConnection connection, string sql, params string[] parameters)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        foreach (var name in parameters)
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = name;
            _command.Parameters.Add(parameter);
        }
    }

    /// <summary>Sets a parameter's value for the next run; null is NULL.</summary>
    public PreparedCommand With(string name, object? value)
    {
        _command.Parameters[name].Value = value ?? DBNull.Value;
        return this;
    }

    public int Execute(IDbTransaction? tx) => In(tx).ExecuteNonQuery();

    public object? Scalar(IDbTransaction? tx) => In(tx).ExecuteScalar();

    public DbDataReader Reader(IDbTransaction? tx) => In(tx).ExecuteReader();

    private DbCommand In(IDbTransaction? tx)
    {
        _command.Transaction = (DbTransaction?)tx;
        return _command;
    }

    public void Dispose() => _command.Dispose();
}
