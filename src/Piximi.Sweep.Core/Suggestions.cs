namespace Piximi.Sweep.Core;

/// <summary>"Did you mean …?" for misspelled keys and names.</summary>
internal static class Suggestions
{
    /// <summary>
    /// The candidate closest to <paramref name="input"/>, or null when none is close enough to be a plausible typo.
    /// Case, '_', '-' and spaces are ignored first, so <c>categorical_crossentropy</c> (Keras' spelling) finds
    /// <c>CategoricalCrossEntropy</c>; then up to a third of the letters may differ (at least 2), counting a swap of
    /// two neighbours as one edit; a name cut short (at least 3 letters) counts as one edit. Another library's real
    /// optimizer or loss (<see cref="UnofferedNames"/>: nadam, adamw, focal …) gets no suggestion: it is no typo, and
    /// the nearest candidate would be a different optimizer or loss.
    /// </summary>
    public static string? Closest(string input, IEnumerable<string> candidates)
    {
        var wanted = Normalize(input);
        if (wanted.Length == 0 || UnofferedNames.IsKnown(wanted)) return null;
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var normalized = Normalize(candidate);
            // A clipped name ("val_acc" for val_accuracy) is as plausible as a one-letter typo.
            var distance = wanted.Length >= 3 && normalized.StartsWith(wanted, StringComparison.Ordinal)
                ? Math.Min(1, Distance(wanted, normalized))
                : Distance(wanted, normalized);
            if (distance <= Math.Max(2, normalized.Length / 3) && distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    /// <summary>"did you mean 'x'? " or empty, to put in front of the "allowed: …" part of a message.</summary>
    public static string DidYouMean(string input, IEnumerable<string> candidates) =>
        Closest(input, candidates) is { } closest ? $"did you mean '{closest}'? " : "";

    /// <summary>Lower case without '_', '-' and spaces: how names are compared.</summary>
    internal static string Normalize(string text) =>
        string.Concat(text.Where(c => c is not ('_' or '-' or ' ')).Select(char.ToLowerInvariant));

    /// <summary>Optimal string alignment distance: Levenshtein plus adjacent transpositions.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
