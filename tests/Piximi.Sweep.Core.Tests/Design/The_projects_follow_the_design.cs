using System.Xml.Linq;

namespace Piximi.Sweep.Core.Tests.Design;

/// <summary>
/// The parts and arrows of ../shared/DESIGN.md ("Projects (one job each)"), read from the project files themselves: a
/// project may reference only the projects its row allows, only Training touches TorchSharp, and every project has
/// its test project. A new project fails here until it has a row.
/// </summary>
public sealed class The_projects_follow_the_design
{
    /// <summary>What each project may use (DESIGN.md's table, and its "Never" line).</summary>
    private static readonly Dictionary<string, string[]> MayUse = new()
    {
        ["Piximi.Sweep.Core"] = [],
        ["Piximi.Sweep.Storage"] = ["Piximi.Sweep.Core"],
        ["Piximi.Sweep.Training"] = ["Piximi.Sweep.Core"],
        ["Piximi.Sweep.Engine"] = ["Piximi.Sweep.Core", "Piximi.Sweep.Storage"],
        ["Piximi.Sweep.Reports"] = ["Piximi.Sweep.Core", "Piximi.Sweep.Storage"],
        ["Piximi.Sweep.Cli"] = ["Piximi.Sweep.Core", "Piximi.Sweep.Storage", "Piximi.Sweep.Training", "Piximi.Sweep.Engine", "Piximi.Sweep.Reports"],
    };

    public static TheoryData<string> Projects => [.. SourceProjects().Select(Path.GetFileNameWithoutExtension).OfType<string>()];

    [Theory]
    [MemberData(nameof(Projects))]
    public void Each_project_references_only_what_its_row_allows(string project)
    {
        Assert.True(MayUse.TryGetValue(project, out var allowed), $"{project} has no row in DESIGN.md's table (nor in this test)");
        var used = References(project);
        Assert.True(used.All(allowed.Contains), $"{project} references {string.Join(", ", used.Except(allowed))}, which DESIGN.md does not allow; allowed: {string.Join(", ", allowed)}");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Only_training_touches_torchsharp(string project)
    {
        var torch = Packages(project).Where(p => p.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase) || p.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase)).ToList();
        if (project == "Piximi.Sweep.Training") Assert.NotEmpty(torch);
        else Assert.True(torch.Count == 0, $"{project} references {string.Join(", ", torch)}");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Each_project_has_a_test_project_of_its_name(string project) =>
        Assert.True(File.Exists(Path.Combine(Root, "tests", project + ".Tests", project + ".Tests.csproj")), $"tests/{project}.Tests is missing");

    [Fact]
    public void Finds_the_projects_it_checks() =>
        Assert.Superset(new HashSet<string> { "Piximi.Sweep.Core", "Piximi.Sweep.Storage", "Piximi.Sweep.Training", "Piximi.Sweep.Reports", "Piximi.Sweep.Cli" },
            SourceProjects().Select(p => Path.GetFileNameWithoutExtension(p)).ToHashSet());

    private static readonly string Root = FindRoot();

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Piximi.Sweep.sln"))) return folder.FullName;
        throw new InvalidOperationException($"no Piximi.Sweep.sln above {AppContext.BaseDirectory}");
    }

    private static IEnumerable<string> SourceProjects() =>
        Directory.EnumerateDirectories(Path.Combine(Root, "src")).Select(d => Path.Combine(d, Path.GetFileName(d) + ".csproj")).Where(File.Exists).Order(StringComparer.Ordinal);

    private static XDocument Project(string name) => XDocument.Load(Path.Combine(Root, "src", name, name + ".csproj"));

    private static List<string> References(string name) =>
        [.. Project(name).Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')))];

    private static List<string> Packages(string name) =>
        [.. Project(name).Descendants("PackageReference").Select(r => r.Attribute("Include")!.Value)];
}
