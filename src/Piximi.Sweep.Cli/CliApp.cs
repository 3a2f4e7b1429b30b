using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Piximi.Sweep.Cli.Commands;
using Piximi.Sweep.Cli.Serve;
using Piximi.Sweep.Core;
using Piximi.Sweep.Engine;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Cli;

/// <summary>The piximi-sweep command line. Commands are thin classes over Core, Storage and Training that write to
/// the given writers, so tests can run them in-process and read what they print.</summary>
public static class CliApp
{
    internal const string DefaultDb = "results/piximi-sweep.db";

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var errors = new ErrorLog();
        var (root, db) = Build(output, error, errors);
        var parsed = root.Parse(args);
        if (parsed.Action is ParseErrorAction parseError)
            return await UsageErrorAsync(parsed, parseError, error);
        // No signal handling by the parser: run and worker count Ctrl+C/SIGTERM themselves (StopSignals), the
        // first to stop gracefully, the second at once; the read-only commands may simply be terminated.
        var config = new InvocationConfiguration
        {
            Output = output, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null,
        };
        try
        {
            return await parsed.InvokeAsync(config);
        }
        catch (Exception e)
        {
            return await FailedAsync(e, error, errors, args, () => parsed.GetValue(db));
        }
    }

    /// <summary>A usage error is bad input like any other (exit 2): System.CommandLine's own 1 is "some trials failed".</summary>
    private static async Task<int> UsageErrorAsync(ParseResult parsed, ParseErrorAction parseError, TextWriter error)
    {
        foreach (var parseProblem in parsed.Errors)
            await error.WriteLineAsync($"error: {UsageErrors.Readable(parseProblem.Message)}");
        // Its "did you mean" for a mistyped command or option, without its error lines (above) or the full help.
        var typos = new StringWriter();
        parseError.ShowHelp = false;
        await parsed.InvokeAsync(new InvocationConfiguration { Output = typos, Error = TextWriter.Null, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
        if (typos.ToString().Trim() is { Length: > 0 } suggestion) await error.WriteLineAsync(suggestion);
        await error.WriteLineAsync($"See: {CommandPath(parsed)} --help");
        return ExitCodes.BadInput;
    }

    /// <summary>What a command threw, said in one line, and its exit code.</summary>
    private static async Task<int> FailedAsync(Exception e, TextWriter error, ErrorLog errors, string[] args, Func<string?> db)
    {
        switch (e)
        {
            case UserErrorException:
                await error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.BadInput;
            case SweepFileException file:
                await error.WriteLineAsync(file.Message);
                await error.WriteLineAsync($"{file.Errors.Count} error(s); nothing was run or stored.");
                return ExitCodes.BadInput;
            case SweepBusyException busy:
                // Who runs it is the Engine's to say; how to watch it or help it is this program's.
                await error.WriteLineAsync($"error: {e.Message} Watch it with: piximi-sweep status --sweep {busy.SweepName}; " +
                                           $"add a worker with: piximi-sweep worker --sweep {busy.SweepName}; or stop it first.");
                return ExitCodes.BadInput;
            case StoreUnavailableException or StoreNotFoundException or StoreVersionException:
                // The store's surroundings (a full disk, a lock, a server down), also when they fail mid-command: the
                // message names the store and says why.
                await error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.BadInput;
        }
        // A bug or the machine: one line for the user, the stack trace in a log for whoever fixes it.
        var log = errors.Write(e, args, db());
        var message = e.Message.ReplaceLineEndings(" ").Trim();
        await error.WriteLineAsync(log is null
            ? $"error: {message} (an unexpected error; its details could not be written to a log)"
            : $"error: {message} (an unexpected error; details in {log})");
        return ExitCodes.UnexpectedError;
    }

    /// <summary>The command as typed up to the verb, e.g. <c>piximi-sweep launch slurm</c>.</summary>
    private static string CommandPath(ParseResult parsed)
    {
        var names = new List<string>();
        for (var result = parsed.CommandResult; result.Command is not RootCommand && result.Parent is CommandResult parent; result = parent)
            names.Insert(0, result.Command.Name);
        return string.Join(' ', names.Prepend("piximi-sweep"));
    }

    private static (RootCommand Root, Option<string> Db) Build(TextWriter output, TextWriter error, ErrorLog errors)
    {
        var db = new Option<string>("--db", "--store")
        {
            Description = $"The store: a SQLite file, or postgres://user[:password]@host[:port]/database (default: ${StoreLocations.EnvironmentVariable}, else {DefaultDb})",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(StoreLocations.EnvironmentVariable) is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultDb,
            Recursive = true,
        };
        var sweep = new Option<string?>("--sweep", "-s") { Description = "Sweep name (may be left out when the store holds one sweep)" };
        var format = new Option<string>("--format") { Description = "table, json or csv", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");

        var root = new RootCommand("Piximi.Sweep: hyperparameter sweeps for Piximi's image classifiers") { db };

        var skipBadImages = new Option<bool>(DatasetCounter.SkipBadImagesFlag) { Description = "Image datasets: skip and count unreadable images, images of another channel count and classes of fewer than 2 images, instead of refusing them" };
        AddRunAndResume(root, db, skipBadImages, output, error, errors);
        AddWorker(root, db, error, errors);
        AddLaunchAndCancel(root, db, output, error);
        AddValidate(root, db, skipBadImages, output);
        root.Add(InitCommand.Command(output));

        AddResults(root, db, sweep, format, output);
        AddReports(root, db, output);
        AddCopy(root, sweep, output);
        AddServe(root, db, output);

        // --help on the root command ends with the exit codes.
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExitCodes((SynchronousCommandLineAction)help.Action!);
        return (root, db);
    }

    /// <summary>run and resume: a sweep file's sweep, or a stored one, run with worker processes.</summary>
    private static void AddRunAndResume(RootCommand root, Option<string> db, Option<bool> skipBadImages, TextWriter output, TextWriter error, ErrorLog errors)
    {
        var file = new Argument<string>("file") { Description = "The sweep file (YAML), e.g. sweeps/fashion-mnist-quick.yaml" };
        var run = new Command("run", "Run (or resume) the sweep a file describes, with worker processes") { file };
        var resumeName = new Argument<string>("sweep") { Description = "The name of a sweep in the store" };
        var resume = new Command("resume", "Continue a stored sweep (no file needed): unfinished trials resume from their last epoch") { resumeName };
        var readRunOptions = AddRunOptions(db, run, resume);
        var readRunFileOptions = AddSweepFileOptions(run);
        run.Options.Add(skipBadImages);
        run.SetAction(p => new RunCommand(output) { Errors = errors, WorkerConsole = error, FileOptions = readRunFileOptions(p), SkipBadImages = p.GetValue(skipBadImages) }.ExecuteAsync(readRunOptions(p, p.GetRequiredValue(file), null)));
        resume.SetAction(p => new RunCommand(output) { Errors = errors, WorkerConsole = error }.ExecuteAsync(readRunOptions(p, null, p.GetRequiredValue(resumeName))));
        root.Add(run);
        root.Add(resume);
    }

    /// <summary>worker: started by run; also usable by hand, e.g. on another machine sharing the store.</summary>
    private static void AddWorker(RootCommand root, Option<string> db, TextWriter error, ErrorLog errors)
    {
        var workerSweep = new Option<string>("--sweep", "-s") { Description = "Sweep name", Required = true };
        var workerDevice = new Option<string>("--device") { Description = "cpu or cuda:N", DefaultValueFactory = _ => "cpu" };
        var workerThreads = new Option<int>("--threads") { Description = "Torch intra-op threads", DefaultValueFactory = _ => 1 };
        var workerBeat = new Option<double>("--heartbeat-interval") { Description = "Seconds between heartbeats", DefaultValueFactory = _ => 15 };
        var workerPathMap = new Option<string[]>("--path-map")
        {
            Description = "FROM=TO: on this machine the dataset lives elsewhere; paths of the sweep's dataset starting with FROM are read under TO (repeatable)",
            AllowMultipleArgumentsPerToken = false,
        };
        var worker = new Command("worker", "Claim and train trials of a sweep until none is queued, or the sweep's stored budgets (set by run or resume) say stop")
            { workerSweep, workerDevice, workerThreads, workerBeat, workerPathMap };
        worker.SetAction(p =>
        {
            using var signals = new StopSignals();
            return new WorkerCommand(error) { Errors = errors }.Execute(new WorkerOptions(
                p.GetRequiredValue(db), p.GetRequiredValue(workerSweep), p.GetRequiredValue(workerDevice), p.GetRequiredValue(workerThreads),
                p.GetRequiredValue(workerBeat) is var beat && beat > 0 && beat <= TimeSpan.MaxValue.TotalSeconds
                    ? TimeSpan.FromSeconds(beat)
                    : throw new UserErrorException($"--heartbeat-interval must be a number of seconds > 0, got {beat}."))
            {
                PathMap = PathMap.Parse(p.GetValue(workerPathMap) ?? []),
            }, signals.Graceful);
        });
        root.Add(worker);
    }

    /// <summary>launch slurm and cancel.</summary>
    private static void AddLaunchAndCancel(RootCommand root, Option<string> db, TextWriter output, TextWriter error)
    {
        var launchSweep = new Argument<string>("sweep") { Description = "The name of a sweep in the store (run or validate creates it)" };
        var launchWorkers = new Option<int>("--workers", "-w") { Description = "Workers: one per array task", Required = true };
        var launchGpus = new Option<int>("--gpus-per-worker") { Description = "GPUs per worker (--gres=gpu:G); 0 trains on the CPU", DefaultValueFactory = _ => 0 };
        var launchPartition = new Option<string?>("--partition", "-p") { Description = "Slurm partition" };
        var launchTime = new Option<string?>("--time", "-t") { Description = "Slurm time limit per task, e.g. 4:00:00" };
        var launchThreads = new Option<int>("--threads") { Description = "CPUs per task (--cpus-per-task) and torch threads per worker", DefaultValueFactory = _ => 1 };
        var launchDryRun = new Option<bool>("--dry-run") { Description = "Only write the script (<sweep>-slurm.sh next to the store: results/ by default) and print its path" };
        var slurm = new Command("slurm", "Write an sbatch job-array script (one worker per task; the workers obey the sweep's stored budgets) beside the results, submit it and record the job")
            { launchSweep, launchWorkers, launchGpus, launchPartition, launchTime, launchThreads, launchDryRun };
        slurm.SetAction(p => new LaunchCommand(output, error).Slurm(new SlurmLaunchOptions(
            p.GetRequiredValue(db), p.GetRequiredValue(launchSweep), p.GetRequiredValue(launchWorkers), p.GetRequiredValue(launchGpus),
            p.GetValue(launchPartition), p.GetValue(launchTime), p.GetRequiredValue(launchThreads), p.GetValue(launchDryRun))));
        root.Add(new Command("launch", "Start workers of a stored sweep on a batch scheduler") { slurm });

        var cancelSweep = new Argument<string?>("sweep") { Description = "Sweep name (may be left out when the store holds one)", Arity = ArgumentArity.ZeroOrOne };
        var cancelReason = new Option<string?>("--reason") { Description = "Why (stored, shown by workers and run)" };
        var cancel = new Command("cancel", "Cancel a sweep: workers anywhere stop and give their trials back (resume continues); its Slurm jobs are scancelled") { cancelSweep, cancelReason };
        cancel.SetAction(p => new CancelCommand(output, error).Execute(p.GetRequiredValue(db), p.GetValue(cancelSweep), p.GetValue(cancelReason)));
        root.Add(cancel);
    }

    /// <summary>validate: a sweep file checked, its grid printed, nothing trained.</summary>
    private static void AddValidate(RootCommand root, Option<string> db, Option<bool> skipBadImages, TextWriter output)
    {
        var validateFile = new Argument<string>("file") { Description = "The sweep file (YAML)" };
        var validate = new Command("validate", "Check a sweep file and print its grid, without training") { validateFile };
        var readValidateFileOptions = AddSweepFileOptions(validate);
        validate.Options.Add(skipBadImages);
        validate.SetAction(p => new ValidateCommand(output) { SkipBadImages = p.GetValue(skipBadImages), Store = p.GetValue(db) }
            .Execute(p.GetRequiredValue(validateFile), readValidateFileOptions(p)));
        root.Add(validate);
    }

    /// <summary>best, trials and status.</summary>
    private static void AddResults(RootCommand root, Option<string> db, Option<string?> sweep, Option<string> format, TextWriter output)
    {
        var top = new Option<int>("--top", "-n") { Description = "How many trials", DefaultValueFactory = _ => 5 };
        var metric = new Option<string?>("--metric", "-m") { Description = $"Rank by ({string.Join(", ", MetricNames.All)}; default: the sweep's metric)" };
        metric.AcceptOnlyFromAmong([.. MetricNames.All]);
        var perTrial = new Option<bool>("--per-trial") { Description = "With several seeds, rank single trials instead of settings by their mean" };
        var best = new Command("best", "The best completed trials (or, with several seeds, settings by their mean), ranked") { sweep, top, metric, format, perTrial };
        best.SetAction(p => new ResultsCommands(output).Best(
            p.GetRequiredValue(db), p.GetValue(sweep), p.GetRequiredValue(top), p.GetValue(metric), p.GetRequiredValue(format), p.GetValue(perTrial)));
        root.Add(best);

        // trials
        var trials = new Command("trials", "All trials of a sweep with their state") { sweep, format };
        trials.SetAction(p => new ResultsCommands(output).Trials(p.GetRequiredValue(db), p.GetValue(sweep), p.GetRequiredValue(format)));
        root.Add(trials);

        // status
        var status = new Command("status", "A sweep in a few lines: done, running, queued, failed, best so far") { sweep };
        status.SetAction(p => new ResultsCommands(output).Status(p.GetRequiredValue(db), p.GetValue(sweep)));
        root.Add(status);
    }

    /// <summary>report, compare and export.</summary>
    private static void AddReports(RootCommand root, Option<string> db, TextWriter output)
    {
        var reportSweep = new Argument<string?>("sweep") { Description = "Sweep name (may be left out when the store holds one)", Arity = ArgumentArity.ZeroOrOne };
        var reportFormat = new Option<string>("--format") { Description = "html, md, csv or json", DefaultValueFactory = _ => "html" };
        reportFormat.AcceptOnlyFromAmong("html", "md", "csv", "json");
        var reportOutput = new Option<string?>("--output", "-o") { Description = "Where to write (default for html: <sweep>-report.html next to the store, results/ by default; else standard output)" };
        var report = new Command("report", "A report of a sweep: HTML (self-contained, offline), Markdown, CSV or JSON") { reportSweep, reportFormat, reportOutput };
        report.SetAction(p => new ReportCommands(output).Report(p.GetRequiredValue(db), p.GetValue(reportSweep), p.GetRequiredValue(reportFormat), p.GetValue(reportOutput)));
        root.Add(report);

        var first = new Argument<string>("sweepA") { Description = "A sweep name" };
        var second = new Argument<string>("sweepB") { Description = "Another sweep name" };
        var compare = new Command("compare", "Two sweeps side by side: the best of each, and the same grid cells compared") { first, second };
        compare.SetAction(p => new ReportCommands(output).Compare(p.GetRequiredValue(db), p.GetRequiredValue(first), p.GetRequiredValue(second)));
        root.Add(compare);

        var exportSweep = new Argument<string?>("sweep") { Description = "Sweep name (may be left out when the store holds one)", Arity = ArgumentArity.ZeroOrOne };
        var exportTrial = new Option<int?>("--trial") { Description = "Trial number (default: the best completed trial)" };
        var exportPiximi = new Option<bool>("--piximi") { Description = "Piximi's model_hyperparameters.json" };
        var exportModel = new Option<bool>("--model") { Description = "The trained SimpleCNN as a TensorFlow.js Layers model (model.json, weights, classes.json) for Piximi's upload classifier" };
        var exportOutput = new Option<string?>("--output", "-o") { Description = "Where to write (default, next to the store, results/ by default: <sweep>-model_hyperparameters.json; with --model the folder <sweep>-model/ and <sweep>-model.zip)" };
        var export = new Command("export", "Carry a trial's settings (--piximi) or trained model (--model) back into Piximi") { exportSweep, exportTrial, exportPiximi, exportModel, exportOutput };
        export.SetAction(p => (p.GetValue(exportPiximi), p.GetValue(exportModel)) switch
        {
            (true, false) => new ReportCommands(output).ExportPiximi(p.GetRequiredValue(db), p.GetValue(exportSweep), p.GetValue(exportTrial), p.GetValue(exportOutput)),
            (false, true) => new ReportCommands(output).ExportModel(p.GetRequiredValue(db), p.GetValue(exportSweep), p.GetValue(exportTrial), p.GetValue(exportOutput)),
            _ => throw new UserErrorException("export writes one thing: give exactly one of --piximi (Piximi's model_hyperparameters.json) and --model (the trained model as TensorFlow.js)."),
        });
        root.Add(export);
    }

    /// <summary>copy: a sweep moved between stores (laptop SQLite ↔ cluster PostgreSQL).</summary>
    private static void AddCopy(RootCommand root, Option<string?> sweep, TextWriter output)
    {
        var copyFrom = new Option<string>("--from") { Description = "The store the sweep is in: a SQLite file (or sqlite:path), or postgres://…", Required = true };
        var copyTo = new Option<string>("--to") { Description = "The store to copy it to (created when a SQLite file is missing)", Required = true };
        var copy = new Command("copy", "Copy a sweep, with its trials, epochs and checkpoints, to another store; running trials are queued again there") { copyFrom, copyTo, sweep };
        copy.SetAction(p => new CopyCommand(output).Execute(p.GetRequiredValue(copyFrom), p.GetRequiredValue(copyTo), p.GetValue(sweep)));
        root.Add(copy);
    }

    /// <summary>serve: the read-only dashboard over the store.</summary>
    private static void AddServe(RootCommand root, Option<string> db, TextWriter output)
    {
        var port = new Option<int>("--port") { Description = "Port to listen on (0: any free port, printed at start)", DefaultValueFactory = _ => 8642 };
        var host = new Option<string>("--host") { Description = "Address to listen on; any but 127.0.0.1, ::1 or localhost requires the token printed at start", DefaultValueFactory = _ => "127.0.0.1" };
        var serve = new Command("serve", "A read-only dashboard of the store's sweeps in the browser, live while they run") { port, host };
        serve.SetAction((p, stop) => new ServeCommand(output).ExecuteAsync(new ServeOptions(p.GetRequiredValue(db), p.GetRequiredValue(host), p.GetRequiredValue(port)), stop));
        root.Add(serve);
    }

    /// <summary>The usual help, and after the root command's the table of exit codes.</summary>
    private sealed class HelpWithExitCodes(SynchronousCommandLineAction help) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var code = help.Invoke(parseResult);
            if (parseResult.CommandResult.Command is RootCommand)
            {
                parseResult.InvocationConfiguration.Output.WriteLine();
                parseResult.InvocationConfiguration.Output.WriteLine(ExitCodes.Table);
            }
            return code;
        }
    }

    /// <summary>The options of a Weights &amp; Biases sweep file (WANDB-SWEEPS.md), for run and validate.</summary>
    private static Func<ParseResult, SweepFileOptions> AddSweepFileOptions(Command command)
    {
        var dataset = new Option<string?>(SweepFileFlags.Of(CallerOption.Dataset)) { Description = "W&B sweep files: a folder with train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz]" };
        var model = new Option<string?>(SweepFileFlags.Of(CallerOption.Model)) { Description = "W&B sweep files: the model (SimpleCNN)" };
        var ignoreUnknown = new Option<bool>(SweepFileFlags.Of(CallerOption.IgnoreUnknown)) { Description = "W&B sweep files: note and ignore parameters, values and keys that cannot be honoured, instead of refusing" };
        command.Options.Add(dataset);
        command.Options.Add(model);
        command.Options.Add(ignoreUnknown);
        return p => new SweepFileOptions
        {
            Dataset = p.GetValue(dataset), Model = p.GetValue(model), IgnoreUnknown = p.GetValue(ignoreUnknown), OptionName = SweepFileFlags.Of,
        };
    }

    /// <summary>The options run and resume share; returns how to read them into <see cref="RunOptions"/>.</summary>
    private static Func<ParseResult, string?, string?, RunOptions> AddRunOptions(Option<string> db, params Command[] commands)
    {
        var workers = new Option<int?>("--workers", "-w") { Description = "Worker processes (default: --per-device per CUDA device, else one per core)" };
        var threads = new Option<int?>("--threads") { Description = "Torch threads per worker (default: cores / workers; workers × threads ≤ cores)" };
        var devices = new Option<string>("--devices", "--device") { Description = "auto, cpu, or cuda:0,cuda:1…", DefaultValueFactory = _ => "auto" };
        var perDevice = new Option<int>("--per-device") { Description = "Workers per CUDA device (small trials share a GPU)", DefaultValueFactory = _ => 1 };
        // Budgets and retries are stored with the sweep: given here they replace the stored ones, and every worker of
        // the sweep (local, Slurm, by hand elsewhere) obeys them; left out, the stored ones (or the file's) stay.
        var deadline = new Option<string?>(SweepFileFlags.Of(CallerOption.Deadline)) { Description = "Start no trial that would end after this (07:00, or an ISO date and time); stop running ones at it. Stored with the sweep: every worker obeys it" };
        var maxTrials = new Option<int?>(SweepFileFlags.Of(CallerOption.MaxTrials)) { Description = "Start at most this many trials of the sweep in all. Stored with the sweep: every worker obeys it" };
        var maxRetries = new Option<int?>("--max-retries") { Description = $"Lost attempts in a row without a new stored epoch (worker killed, crashed natively, stopped beating) a trial may have before it fails; errors inside a trial are not retried. Stored with the sweep (default {RunPolicy.DefaultMaxRetries})" };
        var grace = new Option<string>("--heartbeat-grace") { Description = "A running trial whose worker has not beaten for this long is re-queued", DefaultValueFactory = _ => "60s" };
        var (maxEpochs, computeHours) = LimitOptions();
        foreach (var command in commands)
        {
            foreach (var option in new Option[] { workers, threads, devices, perDevice, deadline, maxTrials, maxRetries, grace, maxEpochs, computeHours })
                command.Options.Add(option);
        }
        return (p, file, sweepName) =>
        {
            // Checked in the order they are listed, before the store is opened.
            var retries = p.GetValue(maxRetries);
            if (retries is < 0) throw new UserErrorException($"--max-retries must be 0 or more, got {retries}.");
            var trials = p.GetValue(maxTrials);
            if (trials is < 1) throw new UserErrorException($"--max-trials must be at least 1, got {trials}.");
            var graceValue = TimeOptions.ParseDuration(p.GetRequiredValue(grace), "--heartbeat-grace");
            var given = p.GetValue(deadline) is { } d ? TimeOptions.ParseDeadline(d, DateTimeOffset.Now) : (DateTimeOffset?)null;
            var epochs = p.GetValue(maxEpochs);
            if (epochs is < 1) throw new UserErrorException($"--max-epochs must be at least 1, got {epochs}.");
            var hours = p.GetValue(computeHours);
            if (hours is { } h && !(h > 0 && double.IsFinite(h)))
                throw new UserErrorException($"--compute-hours must be a number of hours > 0, e.g. 0.5, got {h}.");
            return new RunOptions(
                file, sweepName, p.GetRequiredValue(db), p.GetValue(workers), p.GetValue(threads), p.GetRequiredValue(devices),
                p.GetRequiredValue(perDevice), graceValue)
            {
                Policy = new RunPolicy(given, trials, epochs, hours, retries),
            };
        };
    }

    private static (Option<int?> MaxEpochs, Option<double?> ComputeHours) LimitOptions() =>
    (
        new Option<int?>(SweepFileFlags.Of(CallerOption.MaxEpochs)) { Description = "Train at most this many epochs, summed over every trial of the sweep. Stored with the sweep: every worker obeys it" },
        new Option<double?>(SweepFileFlags.Of(CallerOption.ComputeHours)) { Description = "Train at most this many hours, summed over every trial's epochs (two workers spend it twice as fast). Stored with the sweep: every worker obeys it" }
    );
}
