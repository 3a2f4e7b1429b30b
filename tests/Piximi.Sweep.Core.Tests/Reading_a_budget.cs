namespace Piximi.Sweep.Core.Tests;

public sealed class Reading_a_budget : IDisposable
{
    private readonly SweepFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_budget_section_gives_a_deadline_and_a_trial_cap_outside_the_definition()
    {
        var withBudget = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\nbudget:\n  deadline: '07:00'\n  max_trials: 20\n", _folder.SweepPath());
        var without = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal, _folder.SweepPath());

        Assert.Equal(new SweepBudget("07:00", 20), withBudget.Budget);
        Assert.Equal(SweepBudget.None, without.Budget);
        // A budget limits one run; it does not make another sweep.
        Assert.Equal(SweepJson.Serialize(without.Definition), SweepJson.Serialize(withBudget.Definition));
    }

    [Fact]
    public void A_bad_deadline_an_unknown_budget_key_and_a_zero_cap_are_each_refused_where_they_stand()
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + "\nbudget:\n  deadline: tomorrow\n  max_trial: 3\n", _folder.SweepPath());
        Sweeps.Single(errors, "budget.deadline", 6, 13, "'tomorrow' is not a deadline", "07:00");
        Sweeps.Single(errors, "budget.max_trial", 7, 3, "did you mean 'max_trials'?");

        var zero = Sweeps.Refuse(Sweeps.Minimal + "\nbudget:\n  max_trials: 0\n", _folder.SweepPath());
        Sweeps.Single(zero, "budget.max_trials", 6, 15, "0 is out of range", "≥ 1");
    }

    [Fact]
    public void Epoch_and_compute_hour_caps_are_read_outside_the_definition()
    {
        var withBudget = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal + "\nbudget:\n  max_epochs: 200\n  compute_hours: 0.5\n", _folder.SweepPath());
        var without = SweepFile.Parse(LocalDisk.Instance, Sweeps.Minimal, _folder.SweepPath());

        Assert.Equal(new SweepBudget(null, null) { MaxEpochs = 200, ComputeHours = 0.5 }, withBudget.Budget);
        Assert.Equal(SweepJson.Serialize(without.Definition), SweepJson.Serialize(withBudget.Definition));
    }

    [Fact]
    public void Every_cap_can_be_given_together()
    {
        var budget = SweepFile.Parse(LocalDisk.Instance, 
            Sweeps.Minimal + "\nbudget: {deadline: '07:00', max_trials: 30, max_epochs: 1e3, compute_hours: 10000}\n", _folder.SweepPath()).Budget;

        Assert.Equal(new SweepBudget("07:00", 30) { MaxEpochs = 1000, ComputeHours = 10_000 }, budget);
    }

    [Theory]
    [InlineData("0", "0 is out of range")]
    [InlineData("2.5", "2.5 is not a whole number")]
    [InlineData("lots", "'lots' is not a number")]
    public void An_epoch_cap_that_is_not_a_whole_number_of_at_least_1_is_refused(string written, string message)
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + $"\nbudget:\n  max_epochs: {written}\n", _folder.SweepPath());

        Sweeps.Only(errors, "budget.max_epochs", 6, 15, message, "allowed: a whole number ≥ 1");
    }

    [Theory]
    [InlineData("0", "0 is out of range")]
    [InlineData("-1", "-1 is out of range")]
    [InlineData("10000.5", "10000.5 is out of range")]
    [InlineData("1h", "'1h' is not a number")]
    public void Compute_hours_not_above_0_or_above_10000_are_refused(string written, string message)
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + $"\nbudget:\n  compute_hours: {written}\n", _folder.SweepPath());

        Sweeps.Only(errors, "budget.compute_hours", 6, 18, message, "allowed: a number of hours > 0 and ≤ 10000");
    }

    [Fact]
    public void A_misspelt_budget_key_suggests_the_new_ones_too()
    {
        var errors = Sweeps.Refuse(Sweeps.Minimal + "\nbudget:\n  compute_hour: 2\n", _folder.SweepPath());

        Sweeps.Only(errors, "budget.compute_hour", 6, 3, "did you mean 'compute_hours'?", "allowed: deadline, max_trials, max_epochs, compute_hours");
    }

    [Theory]
    [InlineData(6, 29)]  // 07:00 still ahead: today
    [InlineData(8, 30)]  // 07:00 passed: tomorrow
    public void A_time_of_day_is_its_next_occurrence_in_local_time(int nowHour, int expectedDay)
    {
        var now = Local(2026, 11, 29, nowHour, 0);

        Assert.True(Deadlines.TryParse("07:00", now, out var deadline));

        Assert.Equal(Local(2026, 11, expectedDay, 7, 0), deadline);
    }

    [Fact]
    public void A_date_and_time_is_itself()
    {
        Assert.True(Deadlines.TryParse("2026-12-01T07:30:00+01:00", Local(2026, 11, 29, 8, 0), out var deadline));

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 7, 30, 0, TimeSpan.FromHours(1)), deadline);
    }

    private static DateTimeOffset Local(int year, int month, int day, int hour, int minute)
    {
        var at = new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Unspecified);
        return new DateTimeOffset(at, TimeZoneInfo.Local.GetUtcOffset(at));
    }

    [Theory]
    [InlineData("7")]
    [InlineData("2026-12-01")]
    [InlineData("25:00")]
    [InlineData("soon")]
    public void Something_that_is_not_a_deadline_is_refused(string text) =>
        Assert.False(Deadlines.TryParse(text, DateTimeOffset.Now, out _));
}
