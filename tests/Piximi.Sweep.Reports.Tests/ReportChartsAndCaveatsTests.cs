using System.Text.RegularExpressions;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Reports.Tests;

public sealed class EtaSquaredFromTinyGroupsCarriesItsNAndACaveat
{
    private static Hyperparameters Hp(double learningRate, int seed) =>
        new(OptimizerKind.Adam, LossKind.CategoricalCrossEntropy, learningRate, 32, 10, null, seed);

    [Fact]
    public void TwoTrialsWithTwoLearningRatesGiveOneFromGroupsOfOneAndAreMarkedShaky()
    {
        (Hyperparameters, double)[] scored = [(Hp(0.01, 0), 0.81), (Hp(0.03, 0), 0.84)];

        var importance = Statistics.Importance(scored).ToDictionary(i => i.Hyperparameter);

        // Two trials split into two groups: all the variance is "between", whatever the numbers.
        Assert.Equal(1.0, importance["learning_rate"].EtaSquared, 12);
        Assert.Equal((2, 1, true), (importance["learning_rate"].Trials, importance["learning_rate"].SmallestGroup, importance["learning_rate"].IsShaky));
        Assert.Equal((2, true), (importance["seed"].SmallestGroup, importance["seed"].IsShaky));
    }

    [Fact]
    public void ThreeTrialsInEveryGroupNeedNoCaveat()
    {
        (Hyperparameters, double)[] scored = [.. Enumerable.Range(0, 6).Select(i => (Hp(i % 2 == 0 ? 0.01 : 0.03, i), 0.8 + 0.01 * i))];

        var learningRate = Statistics.Importance(scored).Single(i => i.Hyperparameter == "learning_rate");

        Assert.Equal((6, 3, false), (learningRate.Trials, learningRate.SmallestGroup, learningRate.IsShaky));
    }

    [Fact]
    public void TheHtmlAndMarkdownReportsShowNAndTheCaveatWhenAValueHasFewerThanThreeTrials()
    {
        // The pruned sweep completes 3 trials, each with its own learning rate: groups of 1.
        using var sweep = new PrunedSweep();
        var report = sweep.Load();

        var html = Render.With(ReportWriter.Html, report);
        var markdown = Render.With(ReportWriter.Markdown, report);

        var section = Regex.Match(html, "<section id=\"importance\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("<th>n</th><th>smallest group</th>", section);
        Assert.Matches("<tr><td>learning_rate</td><td>3</td><td>3</td><td>1</td><td>.*?</td><td class=\"caveat\">⚠ unreliable</td></tr>", section);
        Assert.Contains("<p class=\"note caveat\" id=\"eta-caveat\">⚠ ", section);
        Assert.Contains("learning_rate (a value with 1 trial)", section);
        Assert.Contains("| learning_rate | 1.0000 | 3 | 3 | 1 | ⚠ unreliable |", markdown);
        Assert.Contains("⚠ learning_rate (a value with 1 trial)", markdown);
    }
}

public sealed class TheStaticReportHasTheHistoryAndAllCurvesCharts : IDisposable
{
    private readonly PrunedSweep _sweep = new();

    public void Dispose() => _sweep.Dispose();

    [Fact]
    public void TheOptimizationHistoryAndEveryTrialsCurvesAreInlineSvgsAndLinkedFromTheNavigation()
    {
        var html = Render.With(ReportWriter.Html, _sweep.Load());

        foreach (var id in (string[])["history", "all-curves"])
        {
            var section = Regex.Match(html, $"<section id=\"{id}\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
            Assert.Contains("<img class=\"chart\"", section);
            Assert.Contains("src=\"data:image/svg+xml;base64,", section);
            Assert.Contains($"<a href=\"#{id}\">", html);
        }
        Assert.Contains("every trial (6): the best in orange, pruned trials grey and dashed", html);
    }

    [Fact]
    public void NavigationLeavesOutSectionsWithNothingInThem()
    {
        var html = Render.With(ReportWriter.Html, _sweep.Load());
        var nav = Regex.Match(html, "<nav>(.*?)</nav>").Groups[1].Value;

        // No replicates (one seed) and every trial ran in one attempt: the sections stay, saying so, but unlinked.
        Assert.Contains("<section id=\"replicates\">", html);
        Assert.DoesNotContain("#replicates", nav);
        Assert.DoesNotContain("#attempts", nav);
        Assert.Contains("<a href=\"#problems\">", nav);
    }

    [Fact]
    public void AnAccuracyAxisSpansTheDataNotZeroToOne()
    {
        // Five values between 0.80 and 0.84: on a 0–1 axis they would be one line; the tick labels say what the axis spans.
        var curve = Enumerable.Range(1, 5).Select(e => new EpochMetrics(e, 0.5, 0.80 + 0.01 * e, 0.5, 0.79 + 0.01 * e, 1, 1000)).ToList();

        var svg = Charts.Curves(curve, accuracy: true, 420, 240);

        // The axis's tick labels: the decimal ones are the y axis (epochs are whole numbers).
        var ticks = Regex.Matches(svg, @">\s*(0\.\d+)\s*</text>").Select(m => double.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.True(ticks.Count >= 3, $"{ticks.Count} y tick labels");
        Assert.All(ticks, t => Assert.InRange(t, 0.78, 0.86));
    }
}

public sealed class TheReportHasASlicePlotPerHyperparameterThatVaries
{
    [Fact]
    public void OneChartForEachSettingTheCompletedTrialsDifferInAndALinkToThem()
    {
        // The pruned sweep's completed trials differ in their learning rate only.
        using var sweep = new PrunedSweep();
        var report = sweep.Load();

        var html = Render.With(ReportWriter.Html, report);

        var section = Regex.Match(html, "<section id=\"slices\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Equal(["val_accuracy by learning rate"], Regex.Matches(section, "<img class=\"chart\"[^>]* alt=\"([^\"]*)\"").Select(m => m.Groups[1].Value));
        Assert.Contains("<a href=\"#slices\">Slices</a>", html);
        Assert.Equal(["learning rate"], Slices.Varying(report).Select(a => a.Name));
    }
}

public sealed class DrawingAFewOfManyTrialsTakesAnEvenSample
{
    [Fact]
    public void ItSpreadsTheCountOverTheListInOrderAndKeepsEveryItemWhenThereAreNoMore()
    {
        Assert.Equal([0, 25, 50, 75], Sampling.Evenly([.. Enumerable.Range(0, 100)], 4));
        Assert.Equal([0, 1, 2], Sampling.Evenly([0, 1, 2], 5));
    }
}

public sealed class TheReportDrawsParallelCoordinatesOfTheSettingsThatVary
{
    private static List<string> LineColours(string svg) =>
        [.. Regex.Matches(svg, "<path fill=\"none\" stroke=\"(#[0-9A-F]{6})\" stroke-width=\"1.2\"").Select(m => m.Groups[1].Value)];

    [Fact]
    public void EachTrialIsOneLineColouredFromTheWorstToTheBestWithTheBestDrawnLastOnTop()
    {
        Charts.ParallelAxis[] axes =
        [
            new("learning rate", true, null, [0.001, 0.01, 0.1]),
            new("optimizer", false, ["adam", "sgd"], [0, 1, 0]),
        ];

        var accuracy = Charts.Parallel(axes, [0.80, 0.84, 0.82], "val_accuracy", higherIsBetter: true, 860, 320);
        var loss = Charts.Parallel(axes, [0.5, 0.3, 0.4], "val_loss", higherIsBetter: false, 860, 320);

        // Viridis from its dark end (the worst) to its yellow end (the best): 0.80 and 0.84 are far apart in colour.
        var colours = LineColours(accuracy);
        Assert.Equal(3, colours.Count);
        Assert.Equal("#440154", colours[0]);
        Assert.Equal("#FDE724", colours[2]);
        Assert.StartsWith("#2", colours[1]);   // 0.82, viridis's teal middle (#208F8C)
        Assert.Equal("#440154", LineColours(loss)[0]);
        Assert.Equal("#FDE724", LineColours(loss)[^1]);
        foreach (var label in new[] { "learning rate", "optimizer", "val_accuracy", "adam", "sgd", "0.001", "0.01", "0.1", "0.8", "0.84" })
            Assert.Contains(label, accuracy);
    }

    [Fact]
    public void TheReportHasTheChartAndALinkToItWhenCompletedTrialsDiffer()
    {
        using var sweep = new PrunedSweep();
        var html = Render.With(ReportWriter.Html, sweep.Load());

        var section = Regex.Match(html, "<section id=\"parallel\">(.*?)</section>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Single(Regex.Matches(section, "<img class=\"chart\""));
        Assert.Contains("<a href=\"#parallel\">Parallel coordinates</a>", html);
    }
}
