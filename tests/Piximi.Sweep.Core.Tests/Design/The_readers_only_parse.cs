using System.Text.RegularExpressions;

namespace Piximi.Sweep.Core.Tests.Design;

/// <summary>
/// DESIGN.md: "Readers of sweep files only parse; they never decide trials." The reader files (native, W&amp;B, YAML,
/// and SweepFile that picks between them) build a definition; which trials exist is TrialPlan's and Samplers.For's.
/// Read from the source, comments and messages aside.
/// </summary>
public sealed class The_readers_only_parse
{
    /// <summary>Calling a sampler, building one, expanding the grid, or putting the baseline in front of proposals.</summary>
    private static readonly Regex DecidesTrials = new(
        @"\bSamplers\s*\.|\bGrid\s*\.\s*Expand\b|\bPropose\w*\s*\(|\b(Grid|Random|Tpe)Sampler\b|\bBaselines\s*\.\s*First\b");

    private static readonly string Core = Path.Combine("src", "Piximi.Sweep.Core");

    private static IEnumerable<string> ReaderFiles() =>
        The_projects_follow_the_design.SourceFiles("Piximi.Sweep.Core").Where(IsReader);

    private static bool IsReader(string file)
    {
        var relative = Path.GetRelativePath(Path.Combine(The_projects_follow_the_design.Root, Core), file);
        var name = Path.GetFileName(relative);
        return name.StartsWith("SweepReader", StringComparison.Ordinal) || name == "SweepFile.cs"
            || relative.StartsWith("Wandb" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            || relative.StartsWith("Yaml" + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    [Fact]
    public void No_reader_calls_a_sampler_or_expands_the_grid()
    {
        var found = ReaderFiles().SelectMany(Offences).ToList();
        Assert.True(found.Count == 0,
            $"A reader decides trials; let it build the definition and leave the trials to TrialPlan.UpFront and Samplers.For:\n{string.Join("\n", found)}");
    }

    [Fact]
    public void Checks_both_readers()
    {
        var shown = ReaderFiles().Select(The_projects_follow_the_design.Shown).ToList();
        Assert.Contains(Path.Combine(Core, "SweepReader.cs"), shown);
        Assert.Contains(Path.Combine(Core, "Wandb", "WandbSweepReader.cs"), shown);
        Assert.DoesNotContain(Path.Combine(Core, "Samplers", "TrialPlan.cs"), shown);
    }

    [Fact]
    public void Finds_a_call_in_code_but_not_in_a_comment_or_message()
    {
        var code = CSharpText.Split("""
            // Samplers.Random in a comment; Grid.Expand(space) too
            var m = "Propose( in a message";
            var trials = Grid.Expand(definition.Parameters);
            var s = Samplers . For(definition); var t = SweepReader.Propose(definition); var b = Baselines.First(d, t);
            """).Code;

        Assert.Equal(["Grid.Expand", "Samplers .", "Propose(", "Baselines.First"], DecidesTrials.Matches(code).Select(m => m.Value));
    }

    private static IEnumerable<string> Offences(string file)
    {
        var code = CSharpText.Split(File.ReadAllText(file)).Code;
        return DecidesTrials.Matches(code).Select(m =>
            $"{The_projects_follow_the_design.Shown(file)}:{The_projects_follow_the_design.LineOfIndex(code, m.Index)}: {m.Value}");
    }
}
