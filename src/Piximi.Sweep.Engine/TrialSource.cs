using Piximi.Sweep.Core;
using Piximi.Sweep.Storage;

namespace Piximi.Sweep.Engine;

/// <summary>
/// Where a worker's next trial comes from: the queue, or, for a sweep whose sampler proposes as it runs (TPE, from
/// every result stored so far; a random search without a trial count, by position), a new trial added to the store
/// already claimed. Proposals go through the store like everything else, so workers on several machines propose in
/// turn: each proposes the next number, and a worker that lost the race for it proposes again from the newer history.
/// An open-ended sweep proposes until a budget, the deadline or Ctrl+C stops its workers.
/// </summary>
internal sealed class TrialSource(ITrialStore store, SweepRecord sweep, string workerId)
{
    /// <summary>Races lost in a row before giving up: each is another worker adding a trial, so this is never reached in practice.</summary>
    private const int MaxRaces = 1000;

    // The one choice of sampler (the same that planned the trials stored up front), for the trials proposed as workers ask.
    private readonly ISampler? _sampler = sweep.Definition.ProposesAsItRuns ? Samplers.For(sweep.Definition) : null;

    private readonly bool _learns = sweep.Definition.Method == SearchMethod.Tpe;

    public TrialRecord? Next()
    {
        for (var race = 0; race < MaxRaces; race++)
        {
            // Queued trials first: one given back (interrupted, its worker lost) resumes before anything new starts.
            // The store refuses a claim (and an added trial) the sweep's stored policy forbids.
            if (store.ClaimNext(sweep.Id, workerId) is { } claimed) return claimed;
            if (_sampler is null || store.PolicyStop(sweep.Id) is not null) return null;

            // TPE learns from every stored result; random search proposes by position alone, so it reads the counts
            // (by index), not every trial with its result: its cost per trial does not grow with the sweep.
            var summaries = _learns ? store.SummarizeTrials(sweep.Id) : null;
            var total = summaries?.Count ?? store.CountTrials(sweep.Id).Total;
            if (total >= Baselines.ProposedTotal(sweep.Definition)) return null;
            // Every stored result teaches the sampler, the baseline's too; the baseline's trials are not its proposals.
            var history = summaries is null ? [] : Observations.History(summaries, sweep.Definition.Metric);
            var point = _sampler.Propose(history, position: Baselines.ProposalPosition(sweep.Definition, total));
            if (store.AddClaimedTrial(sweep.Id, total + 1, point, workerId) is { } added) return added;
            // Refused: another worker added this number (propose again), or a budget ran out meanwhile (stop).
            if (store.PolicyStop(sweep.Id) is not null) return null;
        }
        throw new InvalidOperationException($"Could not add a proposed trial to sweep '{sweep.Name}' after {MaxRaces} tries.");
    }

    /// <summary>
    /// Trials still to be proposed: the sweep's total less those in the store (0 for sweeps made up front; for an
    /// open-ended sweep, so many that it never runs out: <see cref="Baselines.OpenEnded"/> less those in the store).
    /// </summary>
    public static int StillToPropose(SweepDefinition definition, int trialsInStore) =>
        Baselines.ProposedTotal(definition) is { } total ? Math.Max(0, total - trialsInStore) : 0;
}
