using Microsoft.AspNetCore.Http;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training.Export;

namespace Piximi.Sweep.Cli.Serve;

/// <summary>
/// A trial's trained model for Piximi, as one zip download: the very zip <c>export --model</c> writes
/// (<see cref="TfjsExport.Write"/>, the TF.js Layers model.json with its classes and the weights), made in a temporary
/// folder and deleted once read. Here, not in Reports, since converting a checkpoint needs TorchSharp.
/// </summary>
internal static class ModelDownload
{
    public static IResult Zip(ITrialStore store, SweepRecord sweep, int number)
    {
        if (store.FindTrial(sweep.Id, number) is not { } trial)
            return Results.NotFound($"Sweep '{sweep.Name}' has no trial {number}.");
        if (trial.State != TrialState.Completed)
            return Results.NotFound($"Trial {number} is {Display.State(trial.State)}: only a completed trial has a finished model to download.");
        if (store.LoadCheckpoint(trial.Id) is not { } checkpoint)
            return Results.NotFound($"Trial {number}'s trained model is not in the store: a sweep keeps only its best completed trial's model, "
                + "to keep the store small. Download the best trial's, or run these settings as a sweep of their own.");
        var name = TfjsExport.ModelName($"{sweep.Name}-trial{trial.Number}");
        var folder = Directory.CreateTempSubdirectory("piximi-sweep-model-");
        try
        {
            var result = TfjsExport.Write(checkpoint.Data, trial.Hyperparameters, store.LoadEvaluation(trial.Id)?.ClassNames,
                Path.Combine(folder.FullName, "model"), name);
            return Results.File(File.ReadAllBytes(result.ZipFile), "application/zip", $"{name}.zip");
        }
        catch (ModelExportException e)
        {
            return Results.Problem($"Trial {number} of sweep '{sweep.Name}': {e.Message}", statusCode: StatusCodes.Status422UnprocessableEntity);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
