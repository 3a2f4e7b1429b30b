using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Piximi.Sweep.Core;

/// <summary>
/// Hyperband as Optuna's HyperbandPruner runs it: several ASHA brackets side by side, each trial in exactly one.
/// <list type="bullet">
/// <item>Brackets: n = ⌊log_η(maxEpochs/minEpochs)⌋ + 1. Bracket b is ASHA with early-stopping rate b, so its first
/// rung is at minEpochs·η^b: bracket 0 judges earliest, the last bracket judges late or never.</item>
/// <item>Budgets: bracket b gets ⌈n·η^s / (s + 1)⌉ slots, s = n − 1 − b (the paper's number of configurations per
/// bracket, as a ratio since the sweep's trial count is not known up front). Aggressive brackets get more trials,
/// because most of theirs stop early.</item>
/// <item>Assignment: CRC-32 of the trial id (decimal, invariant) modulo the total budget, then walk the budgets in
/// bracket order. Optuna hashes "{study_name}_{trial number}"; trial ids are unique across the store, so the id
/// alone plays both parts. The hash is the same in every process, so every worker puts a trial in the same bracket.</item>
/// <item>A trial competes only with trials of its own bracket.</item>
/// </list>
/// </summary>
internal sealed class HyperbandPruner : IPruner
{
    private readonly AshaPruner[] _brackets;
    private readonly int[] _budgets;
    private readonly int _totalBudget;

    public HyperbandPruner(int minEpochs, int maxEpochs, int reductionFactor, ValueWords? words = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minEpochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(reductionFactor, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpochs, minEpochs);

        // ⌊log_η(max/min)⌋ by integer steps: Math.Log(27) / Math.Log(3) is 3.0000000000000004, and a ratio just
        // under an integer would lose a bracket.
        var count = 1;
        for (long e = (long)minEpochs * reductionFactor; e <= maxEpochs; e *= reductionFactor)
            count++;

        _brackets = new AshaPruner[count];
        _budgets = new int[count];
        for (var b = 0; b < count; b++)
        {
            _brackets[b] = new AshaPruner(minEpochs, reductionFactor, maxEpochs, earlyStoppingRate: b, words);
            var s = count - 1 - b;
            var numerator = count * checked((long)Math.Pow(reductionFactor, s));
            _budgets[b] = checked((int)((numerator + s) / (s + 1)));
        }
        _totalBudget = checked(_budgets.Sum());
    }

    public IReadOnlyList<int> Budgets => _budgets;

    public IReadOnlyList<IReadOnlyList<int>> RungEpochsByBracket => _brackets.Select(b => b.RungEpochs()).ToList();

    // A trial's bracket never changes: hashed once per trial, not once per trial per decision (every decision looks
    // at every trial of the sweep to find its bracket's).
    private readonly ConcurrentDictionary<long, int> _bracketOf = new();

    public int BracketOf(long trialId) => _bracketOf.GetOrAdd(trialId, HashToBracket);

    private int HashToBracket(long trialId)
    {
        var slot = Crc32.Of(Encoding.ASCII.GetBytes(trialId.ToString(CultureInfo.InvariantCulture))) % (uint)_totalBudget;
        for (var b = 0; b < _budgets.Length; b++)
        {
            if (slot < _budgets[b])
                return b;
            slot -= (uint)_budgets[b];
        }
        throw new InvalidOperationException("unreachable: the slot is below the total budget");
    }

    public PruneDecision ShouldPrune(long trialId, int epoch, IReadOnlyDictionary<long, IReadOnlyList<double>> valuesByTrial)
    {
        PrunerInputs.OwnValue(trialId, epoch, valuesByTrial);
        var bracket = BracketOf(trialId);
        var sameBracket = valuesByTrial.Where(kv => BracketOf(kv.Key) == bracket).ToDictionary();
        var decision = _brackets[bracket].ShouldPrune(trialId, epoch, sameBracket);
        return decision with { Reason = $"bracket {bracket}: {decision.Reason}" };
    }
}
