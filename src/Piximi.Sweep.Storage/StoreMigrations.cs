using System.Data;
using Dapper;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Storage;

/// <summary>
/// The steps of a migration that SQL alone cannot take, the same for both databases, run by each dialect's schema
/// after the migration of <see cref="After"/>'s version, in the same transaction.
/// </summary>
internal static class StoreMigrations
{
    /// <summary>The version whose migration adds <c>trials.hyperparameters</c>; the next one drops the columns it replaces.</summary>
    public const int HyperparameterDocuments = 10;

    /// <summary>Schema 11 in both databases: the columns the documents of schema 10 replace, one statement each (SQLite's way).</summary>
    public const string DropHyperparameterColumns =
        """
        ALTER TABLE trials DROP COLUMN optimizer;
        ALTER TABLE trials DROP COLUMN loss;
        ALTER TABLE trials DROP COLUMN learning_rate;
        ALTER TABLE trials DROP COLUMN batch_size;
        ALTER TABLE trials DROP COLUMN epochs;
        ALTER TABLE trials DROP COLUMN time_budget_seconds;
        ALTER TABLE trials DROP COLUMN seed;
        ALTER TABLE trials DROP COLUMN model;

        """;

    public static void After(int version, IDbConnection connection, IDbTransaction? tx)
    {
        if (version == HyperparameterDocuments) FillHyperparameterDocuments(connection, tx);
    }

    private const string SelectColumns =
        """
        SELECT id AS Id, optimizer AS Optimizer, loss AS Loss, learning_rate AS LearningRate, batch_size AS BatchSize,
               epochs AS Epochs, time_budget_seconds AS TimeBudgetSeconds, seed AS Seed, model AS Model
        FROM trials;
        """;

    private const string SetDocument = "UPDATE trials SET hyperparameters = @Json WHERE id = @Id;";

    /// <summary>
    /// Each trial's hyperparameter columns (schema 9 and before) become its document, as the store reads and writes it
    /// from then on: written in C#, not SQL, so that numbers and times are written exactly as
    /// <see cref="SweepJson.Serialize(Hyperparameters)"/> writes them (SQLite's JSON functions round a double to 15 digits).
    /// </summary>
    private static void FillHyperparameterDocuments(IDbConnection connection, IDbTransaction? tx)
    {
        var documents = connection.Query<ColumnsRow>(SelectColumns, transaction: tx)
            .Select(r => new { r.Id, Json = SweepJson.Serialize(r.ToHyperparameters()) })
            .ToList();
        connection.Execute(SetDocument, documents, tx);
    }

    private sealed record ColumnsRow
    {
        public long Id { get; init; }
        public string Optimizer { get; init; } = "";
        public string Loss { get; init; } = "";
        public double LearningRate { get; init; }
        public long BatchSize { get; init; }
        public long Epochs { get; init; }
        public double? TimeBudgetSeconds { get; init; }
        public long Seed { get; init; }
        public string Model { get; init; } = nameof(ModelKind.SimpleCNN);

        public Hyperparameters ToHyperparameters() => new(
            Enum.Parse<OptimizerKind>(Optimizer),
            Enum.Parse<LossKind>(Loss),
            LearningRate,
            checked((int)BatchSize),
            checked((int)Epochs),
            // Through ticks, rounded: FromSeconds on a double can land one tick off the stored TimeSpan.
            TimeBudgetSeconds is { } seconds ? TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond)) : null,
            checked((int)Seed)) { Model = Enum.Parse<ModelKind>(Model) };
    }
}
