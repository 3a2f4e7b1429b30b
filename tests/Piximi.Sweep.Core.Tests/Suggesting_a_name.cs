namespace Piximi.Sweep.Core.Tests;

public sealed class Suggesting_a_name
{
    private static readonly string[] Keys = ["optimizer", "loss", "learning_rate", "batch_size", "epochs", "seed"];

    [Theory]
    [InlineData("learnign_rate", "learning_rate")]
    [InlineData("LearningRate", "learning_rate")]
    [InlineData("optimiser", "optimizer")]
    [InlineData("seeds", "seed")]
    [InlineData("batch", "batch_size")]
    [InlineData("epoch", "epochs")]
    public void A_typo_swap_case_change_or_clipped_name_finds_the_key(string typed, string expected)
    {
        Assert.Equal(expected, Suggestions.Closest(typed, Keys));
    }

    [Theory]
    [InlineData("nadam")]
    [InlineData("AdamW")]
    [InlineData("rmsprop_centered")]
    [InlineData("focal")]
    public void Another_librarys_real_optimizer_or_loss_is_no_typo_and_gets_no_suggestion(string typed)
    {
        Assert.Null(Suggestions.Closest(typed, ["Adam", "RMSProp", "Log", "Hinge", "adam", "rmsprop", "log"]));
        Assert.Equal("Adam", Suggestions.Closest("adma", ["Adam", "RMSProp"])); // a real typo still is one
    }

    [Theory]
    [InlineData("momentum_decay")]
    [InlineData("x")]
    [InlineData("")]
    public void Something_unlike_every_key_gets_no_suggestion(string typed)
    {
        Assert.Null(Suggestions.Closest(typed, Keys));
    }
}
