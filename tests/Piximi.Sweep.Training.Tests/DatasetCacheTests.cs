using Piximi.Sweep.Core;
using TorchSharp;
using static Piximi.Sweep.Training.Tests.IdxFiles;

namespace Piximi.Sweep.Training.Tests;

/// <summary>
/// The decoded-dataset cache a worker reads its images from (<see cref="DatasetCache"/>): what it gives is what decoding
/// gives, it is really read on the second load, and a changed source file, a damaged entry or a folder that cannot be
/// written never gives a worker wrong or no data.
/// </summary>
public class A_dataset_cache
{
    public A_dataset_cache() => FashionMnist.InitializeTorch();

    [Fact]
    public void Gives_the_decoded_images_and_labels_and_is_what_the_second_load_reads()
    {
        using var folder = new TempFolder();
        var cache = Path.Combine(folder.FullPath, "cache");
        var spec = FashionMnist.Spec(300);
        using var decoded = ImageDataset.Load(spec);

        using (var first = DatasetCache.Load(spec, cache))
        {
            Assert.True(Tensors.Same(decoded.Images, first.Images));
            Assert.True(Tensors.Same(decoded.Labels, first.Labels));
        }
        var entry = Assert.Single(Directory.GetFiles(cache, "*.json"))[..^".json".Length];
        Assert.Equal(300L * 28 * 28 * sizeof(float), new FileInfo(entry + ".images").Length);
        using (var second = DatasetCache.Load(spec, cache))
        {
            Assert.True(Tensors.Same(decoded.Images, second.Images));
            Assert.True(Tensors.Same(decoded.Labels, second.Labels));
            Assert.Equal(decoded.ClassNames, second.ClassNames);
        }

        // Proof that the second load read the entry, not the IDX files: a pixel changed in the entry shows.
        using (var stream = new FileStream(entry + ".images", FileMode.Open, FileAccess.Write))
            stream.Write(BitConverter.GetBytes(0.5f));
        using var third = DatasetCache.Load(spec, cache);
        Assert.Equal(0.5f, third.Images[0, 0, 0, 0].item<float>());
    }

    [Fact]
    public void Decodes_again_when_a_source_file_changed_and_deletes_the_entry_it_replaces()
    {
        using var folder = new TempFolder();
        var cache = Path.Combine(folder.FullPath, "cache");
        var images = folder.Write("images.idx", ImageFile(40));
        var labels = folder.Write("labels.idx", LabelFile(Cycle(40)));
        var spec = new DatasetSpec("idx", images, labels, 0.75, null);
        using (var before = DatasetCache.Load(spec, cache))
            Assert.Equal(0L, before.Labels[0].item<long>());

        File.WriteAllBytes(labels, LabelFile([.. Cycle(40).Select(l => 9 - l)]));
        File.SetLastWriteTimeUtc(labels, DateTime.UtcNow.AddMinutes(1));
        using var after = DatasetCache.Load(spec, cache);

        Assert.Equal(9L, after.Labels[0].item<long>());
        Assert.Single(Directory.GetFiles(cache, "*.json"));
        Assert.Equal(3, Directory.GetFiles(cache).Length);
    }

    [Fact]
    public void Decodes_again_when_an_entry_is_damaged_and_writes_it_whole()
    {
        using var folder = new TempFolder();
        var cache = Path.Combine(folder.FullPath, "cache");
        var spec = FashionMnist.Spec(200);
        using var decoded = ImageDataset.Load(spec);
        DatasetCache.Load(spec, cache).Dispose();
        var entry = Directory.GetFiles(cache, "*.json").Single()[..^".json".Length];
        using (var stream = new FileStream(entry + ".images", FileMode.Open, FileAccess.Write))
            stream.SetLength(1000); // cut short, as by a full disk or a crash before the rename

        using var loaded = DatasetCache.Load(spec, cache);

        Assert.True(Tensors.Same(decoded.Images, loaded.Images));
        Assert.Equal(200L * 28 * 28 * sizeof(float), new FileInfo(entry + ".images").Length);
    }

    [Fact]
    public void Still_loads_when_its_folder_cannot_be_made()
    {
        using var folder = new TempFolder();
        var notAFolder = folder.Write("cache", [1, 2, 3]); // a file where the folder should be
        var spec = FashionMnist.Spec(100);
        using var decoded = ImageDataset.Load(spec);

        using var loaded = DatasetCache.Load(spec, notAFolder);

        Assert.True(Tensors.Same(decoded.Images, loaded.Images));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(notAFolder));
    }
}
