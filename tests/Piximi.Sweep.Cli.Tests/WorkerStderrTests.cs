using Piximi.Sweep.Cli.Commands;
using Piximi.Sweep.Engine;

namespace Piximi.Sweep.Cli.Tests;

public sealed class A_workers_stderr
{
    private readonly StringWriter _console = new();
    private readonly List<string> _log = [];

    private WorkerStderr Sorting(params string[] lines)
    {
        var stderr = new WorkerStderr(_console, _log.Add);
        foreach (var line in lines) stderr.Line(line);
        stderr.Line(null);
        return stderr;
    }

    [Fact]
    public void Passes_the_workers_own_messages_to_the_console()
    {
        var stderr = Sorting("[01:13:49 ERR] Trial 2 failed: bad shapes (an error inside the trial, so it is not retried: it would recur)", "error: cannot use the store x.db: the disk is full.");

        Assert.Equal(
            "[01:13:49 ERR] Trial 2 failed: bad shapes (an error inside the trial, so it is not retried: it would recur)\nerror: cannot use the store x.db: the disk is full.\n",
            _console.ToString().ReplaceLineEndings("\n"));
        Assert.Empty(_log);
        Assert.Null(stderr.Abort);
    }

    [Fact]
    public void Sends_a_native_crash_report_to_the_log_only_and_keeps_the_exception_that_aborted_the_worker()
    {
        var stderr = Sorting(
            "[01:17:27 WRN] a warning before",
            "terminate called after throwing an instance of 'c10::Error'",
            "  what():  mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)",
            "Exception raised from meta at /pytorch/aten/src/ATen/native/LinearAlgebra.cpp:204 (most recent call first):",
            "frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0xb0 (0x7f00129871a0 in libc10.so)",
            "frame #13: [0x7f0c0bdbf284]",
            "");

        Assert.Equal("[01:17:27 WRN] a warning before\n", _console.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(6, _log.Count);
        Assert.Equal(new NativeError("c10::Error", "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)"), stderr.Abort);
        Assert.True(stderr.Abort!.Recurs);
    }

    [Theory]
    [InlineData("c10::Error", true)]
    [InlineData("c10::ValueError", true)]
    [InlineData("c10::IndexError", true)]
    [InlineData("c10::OutOfMemoryError", false)]
    [InlineData("std::bad_alloc", false)]
    public void Takes_libtorchs_own_errors_for_errors_that_recur_but_not_running_out_of_memory(string type, bool recurs) =>
        Assert.Equal(recurs, new NativeError(type, "x").Recurs);

    [Fact]
    public void Sends_a_managed_crash_report_to_the_log_only()
    {
        var stderr = Sorting(
            "Unhandled exception. System.InvalidOperationException: boom",
            "   at Piximi.Sweep.Engine.TrialRun.Run(CancellationToken stop) in TrialRun.cs:line 200",
            "   at Piximi.Sweep.Cli.Commands.WorkerCommand.Execute(WorkerOptions options, CancellationToken stop)");

        Assert.Equal("", _console.ToString());
        Assert.Equal(3, _log.Count);
        Assert.Null(stderr.Abort);
    }
}
