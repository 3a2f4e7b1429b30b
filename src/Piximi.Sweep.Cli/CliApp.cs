using System.CommandLine;
using Piximi.Sweep.Cli.Commands;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli;

/// <summary>The piximi-sweep command line. Commands are thin classes over Core, Storage and Training that write to
/// the given writers, so tests can run them in-process and read what they print.</summary>
public static class CliApp
{
    internal const string DefaultDb = "results/piximi-sweep.db";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = Build(output, error);
        // Ctrl+C or SIGTERM cancels the token; run then stops its workers gently, re-queues what they held and exits.
        var config = new InvocationConfiguration
        {
            Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = TimeSpan.FromSeconds(40),
        };
        try
        {
            return await root.Parse(args).InvokeAsync(config);
        }
        catch (UserErrorException e)
        {
            await error.WriteLineAsync($"error: {e.Message}");
            return ExitCodes.BadInput;
        }
        catch (SweepFileException e)
        {
            await error.WriteLineAsync(e.Message);
            await error.WriteLineAsync($"{e.Errors.Count} error(s); nothing was run or stored.");
            return ExitCodes.BadInput;
        }
    }

    private static RootCommand Build(TextWriter output, TextWriter error)
    {
        var db = new Option<string>("--db") { Description = "The SQLite store", DefaultValueFactory = _ => DefaultDb, Recursive = true };
        var sweep = new Option<string?>("--sweep", "-s") { Description = "Sweep name (may be left out when the store holds one sweep)" };
        var format = new Option<string>("--format") { Description = "table, json or csv", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");

        var root = new RootCommand("Piximi.Sweep: hyperparameter sweeps for Piximi's image classifiers") { db };

        // run
        var file = new Argument<string>("file") { Description = "The sweep file (YAML), e.g. sweeps/fashion-mnist-quick.yaml" };
        var workers = new Option<int?>("--workers", "-w") { Description = "Worker processes (default: one per CUDA device, else one per core)" };
        var threads = new Option<int?>("--threads") { Description = "Torch threads per CPU worker (default: cores / workers)" };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda:N", DefaultValueFactory = _ => "auto" };
        var run = new Command("run", "Run (or resume) the sweep a file describes, with worker processes") { file, workers, threads, device };
        run.SetAction((p, ct) => new RunCommand(output).ExecuteAsync(
            new RunOptions(p.GetRequiredValue(file), p.GetRequiredValue(db), p.GetValue(workers), p.GetValue(threads), p.GetRequiredValue(device)), ct));
        root.Add(run);

        // worker (started by run; also usable by hand)
        var workerSweep = new Option<string>("--sweep", "-s") { Description = "Sweep name", Required = true };
        var workerDevice = new Option<string>("--device") { Description = "cpu or cuda:N", DefaultValueFactory = _ => "cpu" };
        var workerThreads = new Option<int>("--threads") { Description = "Torch intra-op threads", DefaultValueFactory = _ => 1 };
        var worker = new Command("worker", "Claim and train trials of a sweep until none is queued") { workerSweep, workerDevice, workerThreads };
        worker.SetAction((p, ct) => Task.FromResult(new WorkerCommand(error).Execute(
            p.GetRequiredValue(db), p.GetRequiredValue(workerSweep), p.GetRequiredValue(workerDevice), p.GetRequiredValue(workerThreads), ct)));
        root.Add(worker);

        // validate
        var validateFile = new Argument<string>("file") { Description = "The sweep file (YAML)" };
        var validate = new Command("validate", "Check a sweep file and print its grid, without training") { validateFile };
        validate.SetAction(p => new ValidateCommand(output).Execute(p.GetRequiredValue(validateFile)));
        root.Add(validate);

        // best
        var top = new Option<int>("--top", "-n") { Description = "How many trials", DefaultValueFactory = _ => 5 };
        var metric = new Option<string?>("--metric", "-m") { Description = $"Rank by ({string.Join(", ", MetricNames.All)}; default: the sweep's metric)" };
        metric.AcceptOnlyFromAmong([.. MetricNames.All]);
        var best = new Command("best", "The best completed trials, ranked, with their hyperparameters and metrics") { sweep, top, metric, format };
        best.SetAction(p => new ResultsCommands(output).Best(
            p.GetRequiredValue(db), p.GetValue(sweep), p.GetRequiredValue(top), p.GetValue(metric), p.GetRequiredValue(format)));
        root.Add(best);

        // trials
        var trials = new Command("trials", "All trials of a sweep with their state") { sweep, format };
        trials.SetAction(p => new ResultsCommands(output).Trials(p.GetRequiredValue(db), p.GetValue(sweep), p.GetRequiredValue(format)));
        root.Add(trials);

        // status
        var status = new Command("status", "A sweep in a few lines: done, running, queued, failed, best so far") { sweep };
        status.SetAction(p => new ResultsCommands(output).Status(p.GetRequiredValue(db), p.GetValue(sweep)));
        root.Add(status);

        return root;
    }
}
