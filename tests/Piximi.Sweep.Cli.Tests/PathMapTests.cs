using Piximi.Sweep.Cli.Commands;
using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;
using Piximi.Sweep.Training;

namespace Piximi.Sweep.Cli.Tests;

public sealed class A_worker_with_a_path_map
{
    [Fact]
    public void Maps_the_longest_matching_folder_and_leaves_other_paths_alone()
    {
        var map = PathMap.Parse(["/home/me/data=/cluster/data", "/home/me/data/mnist/=/scratch/mnist"]);

        Assert.Equal("/scratch/mnist/train.gz", map.Map("/home/me/data/mnist/train.gz"));
        Assert.Equal("/cluster/data/cells.zip", map.Map("/home/me/data/cells.zip"));
        Assert.Equal("/cluster/data", map.Map("/home/me/data"));
        Assert.Equal("/home/me/database/x.gz", map.Map("/home/me/database/x.gz"));
        Assert.Throws<UserErrorException>(() => PathMap.Parse(["/no-equals-sign"]));
        Assert.Throws<UserErrorException>(() => PathMap.Parse(["/from="]));
    }

    [Fact]
    public async Task Trains_from_its_own_copy_of_the_dataset_while_the_trials_keep_the_sweeps_paths()
    {
        using var folder = new TestFolder();
        var original = Directory.CreateDirectory(Path.Combine(folder.Path, "laptop", "fashion")).FullName;
        foreach (var name in new[] { "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz" })
            File.Copy(Path.Combine(TestFolder.FashionMnist, name), Path.Combine(original, name));
        var file = folder.Write("moved.yaml", TestFolder.SmallSweep("moved", 300).Replace(TestFolder.FashionMnist, original, StringComparison.Ordinal));
        var loaded = SweepFile.Load(LocalDisk.Instance, file);
        using (var store = TrialStores.OpenSqlite(folder.Db))
            store.CreateSweep(loaded.Definition, loaded.Trials);
        // On "the cluster" the dataset is somewhere else.
        var elsewhere = Path.Combine(folder.Path, "cluster", "fashion");
        Directory.CreateDirectory(Path.GetDirectoryName(elsewhere)!);
        Directory.Move(original, elsewhere);

        var unmapped = await Cli.RunProcessAsync(folder.Path, TimeSpan.FromMinutes(3), "worker", "--db", folder.Db, "--sweep", "moved");
        var mapped = await Cli.RunProcessAsync(folder.Path, TimeSpan.FromMinutes(3),
            "worker", "--db", folder.Db, "--sweep", "moved", "--path-map", $"{Path.Combine(folder.Path, "laptop")}={Path.Combine(folder.Path, "cluster")}");

        Assert.Equal(3, unmapped.ExitCode);
        Assert.Contains("laptop", unmapped.Error);
        Assert.True(mapped.ExitCode == 0, mapped.ToString());
        using var check = TrialStores.OpenSqlite(folder.Db);
        var sweep = check.FindSweep("moved")!;
        Assert.All(check.ListTrials(sweep.Id), t => Assert.Equal(TrialState.Completed, t.State));
        Assert.Equal(loaded.Definition.Dataset.Images, sweep.Definition.Dataset.Images); // the sweep still names its own paths
    }
}
