using Piximi.Sweep.Cli.Output;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli.Tests;

public sealed class The_trial_row_writer
{
    private static TrialSummary Failed(string message) => new(
        new TrialRecord(1, 1, 3, new Hyperparameters(OptimizerKind.Adam, LossKind.Hinge, 0.003, 32, 2, null, 5),
            TrialState.Failed, "host:1", 1, null, null, message),
        new EpochMetrics(1, 0.5, 0.8, 0.6, 0.75, 2, 1000), 1, 2);

    [Fact]
    public void Quotes_csv_cells_holding_commas_quotes_and_line_breaks()
    {
        var output = new StringWriter();

        TrialRowWriter.WriteCsv(output, [TrialRow.From(Failed("bad \"value\", then\nmore"))], withRank: false);

        var text = output.ToString();
        Assert.StartsWith("trial,state,optimizer,loss_function,learning_rate", text);
        Assert.Contains("3,failed,Adam,Hinge,0.003,32,2,,5,1,0.5,0.8,0.6,0.75,2,\"bad \"\"value\"\", then\nmore\"", text);
    }

    [Fact]
    public void Writes_json_rows_with_snake_case_names_and_exact_numbers()
    {
        var output = new StringWriter();

        TrialRowWriter.WriteJson(output, [TrialRow.From(Failed("x"), rank: 1)], withRank: true);

        var row = System.Text.Json.JsonDocument.Parse(output.ToString()).RootElement[0];
        Assert.Equal(1, row.GetProperty("rank").GetInt32());
        Assert.Equal("Hinge", row.GetProperty("loss_function").GetString());
        Assert.Equal(0.003, row.GetProperty("learning_rate").GetDouble());
        Assert.Equal(0.75, row.GetProperty("val_accuracy").GetDouble());
    }
}
