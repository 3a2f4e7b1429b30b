namespace Piximi.Sweep.Core;

/// <summary>
/// Optimizers and losses of other libraries (PyTorch's <c>torch.optim</c> and <c>torch.nn</c>, Keras, Optax) that
/// Piximi does not offer. Their names are real, not misspellings: "nadam" answered with "did you mean 'adam'?" would
/// have the user run another optimizer than the one they chose. So <see cref="Suggestions"/> never corrects them, and
/// both sweep formats say instead that Piximi has no such optimizer or loss, naming its closest where there is one.
/// </summary>
internal static class UnofferedNames
{
    /// <param name="Spellings">Matched after lower-casing and dropping '_', '-' and spaces, as <see cref="Suggestions"/> compares.</param>
    /// <param name="Closest">Piximi's nearest optimizer or loss, only where the other one is a variant of it.</param>
    /// <param name="Difference">What sets the other one apart from <paramref name="Closest"/>.</param>
    private sealed record Unoffered(string[] Spellings, string Name, string? Closest = null, string? Difference = null);

    private static readonly Unoffered[] Optimizers =
    [
        new(["nadam"], "NAdam", nameof(OptimizerKind.Adam), "NAdam is Adam with Nesterov momentum"),
        new(["radam"], "RAdam", nameof(OptimizerKind.Adam), "RAdam is Adam with a rectified warm-up of its step size"),
        new(["adamw"], "AdamW", nameof(OptimizerKind.Adam), "AdamW is Adam with decoupled weight decay, and Piximi gives each optimizer only the learning rate"),
        new(["amsgrad"], "AMSGrad", nameof(OptimizerKind.Adam), "AMSGrad is Adam keeping the largest second-moment estimate"),
        new(["sparseadam"], "SparseAdam", nameof(OptimizerKind.Adam), "SparseAdam is Adam for sparse gradients"),
        new(["nag", "nesterov", "sgdnesterov", "nesterovsgd", "nesterovmomentum"], "SGD with Nesterov momentum (NAG)",
            nameof(OptimizerKind.Momentum), "Momentum here is SGD with momentum 0.9, without Nesterov's look-ahead"),
        new(["rmspropcentered", "centeredrmsprop", "rmspropcentred", "centredrmsprop"], "centred RMSProp",
            nameof(OptimizerKind.RMSProp), "Piximi's RMSProp is not centred"),
        new(["lion"], "Lion"), new(["lamb"], "LAMB"), new(["lars"], "LARS"), new(["lbfgs"], "L-BFGS"), new(["rprop"], "Rprop"),
        new(["asgd"], "ASGD"), new(["ftrl"], "FTRL"), new(["adafactor"], "Adafactor"), new(["adabelief"], "AdaBelief"),
        new(["yogi"], "Yogi"), new(["novograd"], "NovoGrad"), new(["adabound"], "AdaBound"),
    ];

    private static readonly Unoffered[] Losses =
    [
        new(["crossentropywithlabelsmoothing", "labelsmoothingcrossentropy", "crossentropylabelsmoothing", "labelsmoothing"],
            "cross entropy with label smoothing", nameof(LossKind.CategoricalCrossEntropy), "the same loss without smoothing the one-hot targets"),
        new(["sparsecategoricalcrossentropy", "sparsecrossentropy"], "sparse categorical cross entropy",
            nameof(LossKind.CategoricalCrossEntropy), "the same loss, which Piximi computes on one-hot labels instead of class numbers"),
        new(["nll", "nllloss", "negativeloglikelihood"], "negative log-likelihood",
            nameof(LossKind.CategoricalCrossEntropy), "the negative log-likelihood of a softmax output is categorical cross entropy"),
        new(["focal", "focalloss", "sigmoidfocal", "binaryfocalcrossentropy", "categoricalfocalcrossentropy"], "focal loss",
            nameof(LossKind.CategoricalCrossEntropy), "focal loss is cross entropy that down-weights well-classified images"),
        new(["smoothl1", "smoothl1loss"], "smooth L1", nameof(LossKind.Huber), "smooth L1 with beta 1 is Huber with delta 1, Piximi's"),
        new(["squaredhinge"], "squared hinge", nameof(LossKind.Hinge), "squared hinge squares each hinge term"),
        new(["categoricalhinge"], "categorical hinge", nameof(LossKind.Hinge), "categorical hinge compares the true class with the best other one; Piximi's hinge takes each class on its own"),
        new(["msle", "meansquaredlogarithmicerror"], "mean squared logarithmic error", nameof(LossKind.MeanSquaredError),
            "MSLE is the squared error of log(1 + x)"),
        new(["kldiv", "kldivergence", "kullbackleibler", "kld"], "Kullback-Leibler divergence"),
        new(["cosinesimilarity", "cosineembedding", "cosine", "cosinedistance"], "cosine loss"),
        new(["poisson"], "Poisson loss"), new(["dice", "diceloss"], "Dice loss"), new(["tversky"], "Tversky loss"),
        new(["ctc"], "CTC loss"), new(["logcosh"], "log-cosh loss"), new(["mape", "meanabsolutepercentageerror"], "mean absolute percentage error"),
        new(["marginranking"], "margin ranking loss"), new(["triplet", "tripletmargin"], "triplet loss"), new(["multimargin"], "multi-class margin loss"),
    ];

    private static readonly Dictionary<string, Unoffered> OptimizerSpellings = Index(Optimizers);
    private static readonly Dictionary<string, Unoffered> LossSpellings = Index(Losses);

    /// <summary>Whether <paramref name="normalized"/> (lower case, no '_', '-' or spaces) names another library's optimizer or loss.</summary>
    public static bool IsKnown(string normalized) => OptimizerSpellings.ContainsKey(normalized) || LossSpellings.ContainsKey(normalized);

    /// <summary>
    /// "Piximi has no AdamW; its closest is Adam (…)" when <paramref name="text"/> names an optimizer
    /// (<paramref name="what"/> "optimizer") or loss ("loss") Piximi does not offer; null otherwise.
    /// </summary>
    public static string? Explain(string what, string text)
    {
        var spellings = what switch
        {
            "optimizer" => OptimizerSpellings,
            "loss" => LossSpellings,
            _ => null,
        };
        if (spellings is null || !spellings.TryGetValue(Suggestions.Normalize(text), out var other)) return null;
        return other.Closest is null
            ? $"Piximi has no {other.Name}"
            : $"Piximi has no {other.Name}; its closest is {other.Closest} ({other.Difference})";
    }

    private static Dictionary<string, Unoffered> Index(Unoffered[] names) =>
        names.SelectMany(n => n.Spellings.Select(s => (s, n))).ToDictionary(p => p.s, p => p.n, StringComparer.Ordinal);
}
