using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports.Tests;

/// <summary>
/// Runs Optuna's own <c>FanovaImportanceEvaluator</c> (Debian's python3-optuna 3.1 with python3-sklearn, under
/// /usr/bin/python3) on the given trials, through <c>tests/optuna-conformance/fanova.py</c>: the same parameters with
/// the same distributions as <see cref="FanovaEvaluator.Space"/> declares, added to a study with create_trial + add_trial.
/// </summary>
internal static class OptunaFanova
{
    /// <summary>Each parameter's importance averaged over one forest per seed, most important first.</summary>
    public static IReadOnlyList<(string Name, double Importance)> Importances(IReadOnlyList<FanovaParameter> parameters,
        IReadOnlyList<(Hyperparameters Hp, double Score)> scored, IReadOnlyList<int> seeds)
    {
        using var folder = new TempFolder();
        var input = folder.Write("trials.json", Input(parameters, scored, seeds).ToJsonString());
        var start = new ProcessStartInfo("/usr/bin/python3", [Script, input])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var python = Process.Start(start) ?? throw new InvalidOperationException("/usr/bin/python3 did not start");
        var stderr = python.StandardError.ReadToEndAsync();
        var stdout = python.StandardOutput.ReadToEnd();
        python.WaitForExit();
        if (python.ExitCode != 0)
        {
            throw new InvalidOperationException($"Optuna's fANOVA failed ({python.ExitCode}); scripts/ensure-prereqs --tests installs python3-optuna and python3-sklearn:\n{stderr.Result}");
        }
        var answer = JsonNode.Parse(stdout)!;
        Version = $"Optuna {answer["optuna"]}, scikit-learn {answer["sklearn"]}";
        return [.. answer["importances"]!.AsArray().Select(p => (p![0]!.GetValue<string>(), p[1]!.GetValue<double>()))];
    }

    /// <summary>What the last run reported of itself, for the test output.</summary>
    public static string Version { get; private set; } = "";

    private static string Script => Path.Combine(RepositoryRoot(), "tests", "optuna-conformance", "fanova.py");

    private static JsonObject Input(IReadOnlyList<FanovaParameter> parameters, IReadOnlyList<(Hyperparameters Hp, double Score)> scored, IReadOnlyList<int> seeds)
    {
        var declared = new JsonArray();
        foreach (var p in parameters)
        {
            declared.Add(p.Kind == FanovaKind.Categorical
                ? new JsonObject { ["name"] = p.Name, ["kind"] = "categorical", ["choices"] = new JsonArray([.. p.Choices.Select(c => JsonValue.Create(c))]) }
                : new JsonObject { ["name"] = p.Name, ["kind"] = p.Kind == FanovaKind.Float ? "float" : "int", ["low"] = p.Low, ["high"] = p.High, ["log"] = p.Log });
        }
        var trials = new JsonArray();
        foreach (var (hp, score) in scored)
        {
            var values = new JsonObject();
            foreach (var p in parameters)
            {
                values[p.Name] = p.Kind switch
                {
                    FanovaKind.Categorical => JsonValue.Create(p.Text(hp)),
                    FanovaKind.Int => JsonValue.Create((long)p.Number(hp)),
                    _ => JsonValue.Create(p.Number(hp)),
                };
            }
            trials.Add(new JsonObject { ["params"] = values, ["value"] = score });
        }
        return new JsonObject { ["seeds"] = new JsonArray([.. seeds.Select(s => JsonValue.Create(s))]), ["parameters"] = declared, ["trials"] = trials };
    }

    /// <summary>Both sides' numbers, one line each, for the test output.</summary>
    public static string Table(IReadOnlyList<(string Name, double Importance)> ours, IReadOnlyList<(string Name, double Importance)> optuna) =>
        "ours:   " + string.Join(", ", ours.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Name} {i.Importance:0.0000}")))
        + "\noptuna: " + string.Join(", ", optuna.Select(i => string.Create(CultureInfo.InvariantCulture, $"{i.Name} {i.Importance:0.0000}")))
        + $"\n({Version})";

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Piximi.Sweep.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"no Piximi.Sweep.sln above {AppContext.BaseDirectory}");
    }
}
