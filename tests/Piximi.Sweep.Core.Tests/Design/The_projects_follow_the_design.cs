using System.Text.RegularExpressions;
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

    /// <summary>
    /// Reading files or folders, or the process's folders, from Core's code (comments and messages aside): "no I/O" in
    /// DESIGN.md. Its callers answer through <see cref="IFileSystemView"/>; a one-argument Path.GetFullPath reads the
    /// current folder too.
    /// </summary>
    private static readonly Regex Io = new(
        @"\bSystem\s*\.\s*IO\s*\.\s*(File|Directory)\b|\bFile\s*\.|\bDirectory\b|\b(FileStream|FileInfo|DirectoryInfo|StreamReader|StreamWriter)\b"
        + @"|\bEnvironment\s*\.\s*(CurrentDirectory|GetFolderPath)\b|\bGetCurrentDirectory\b|\bPath\s*\.\s*GetFullPath\s*\([^,()]*\)");

    [Fact]
    public void Core_does_no_io()
    {
        var found = SourceFiles("Piximi.Sweep.Core")
            .SelectMany(file => Io.Matches(CSharpText.Split(File.ReadAllText(file)).Code).Select(m => $"{Shown(file)}:{LineOf(file, m)}: {m.Value}"))
            .ToList();
        Assert.True(found.Count == 0, $"Core does no I/O (DESIGN.md); ask the caller through IFileSystemView instead:\n{string.Join("\n", found)}");
    }

    [Theory]
    [InlineData("Piximi.Sweep.Core")]
    [InlineData("Piximi.Sweep.Training")]
    [InlineData("Piximi.Sweep.Storage")]
    [InlineData("Piximi.Sweep.Engine")]
    public void No_message_names_a_cli_flag(string project)
    {
        // The CLI words its own flags (SweepFileOptions.OptionName, DatasetException.Refused, StoreAccess.WithHint):
        // the parts below it know none.
        var found = SourceFiles(project)
            .SelectMany(file => CSharpText.Split(File.ReadAllText(file)).Literals.Where(l => Flag.IsMatch(l)).Select(l => $"{Shown(file)}: \"{l}\""))
            .ToList();
        Assert.True(found.Count == 0, $"{project} names CLI flags in its strings; let the CLI word them:\n{string.Join("\n", found)}");
    }

    [Fact]
    public void The_checks_read_code_and_strings_not_comments()
    {
        var parts = CSharpText.Split(""""
            // File.ReadAllText in a comment
            /* Directory.Exists */ var a = "--x"; var c = '"';
            var b = $"{(ok ? "--y" : @"z""")} {{--w}} {n:N0}"; File.Exists(p);
            """");

        Assert.Equal(["--x", "--y", "z\"", "\u0001 {--w} \u0001"], parts.Literals);
        Assert.Equal(["File."], Io.Matches(parts.Code).Select(m => m.Value));
        Assert.Equal(3, LineOfIndex(parts.Code, parts.Code.IndexOf("File.", StringComparison.Ordinal)));
    }

    private static readonly Regex Flag = new("--[A-Za-z]");

    internal static IEnumerable<string> SourceFiles(string project)
    {
        var folder = Path.Combine(Root, "src", project);
        return Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"))
            .Order(StringComparer.Ordinal);
    }

    internal static string Shown(string file) => Path.GetRelativePath(Root, file);

    private static int LineOf(string file, Match match) => LineOfIndex(CSharpText.Split(File.ReadAllText(file)).Code, match.Index);

    internal static int LineOfIndex(string code, int index) => code.AsSpan(0, index).Count('\n') + 1;

    internal static readonly string Root = FindRoot();

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
