using System.Diagnostics;
using System.Globalization;
using Piximi.Sweep.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace Piximi.Sweep.Training;

public static class Trainer
{
    /// <summary>
    /// Validation runs in batches of this many images whatever the training batch size: no layer of SimpleCNN
    /// depends on the batch, nor does MobileNet's BatchNorm in evaluation (it uses its running statistics), so only the
    /// speed changes (bigger batches run faster on the CPU).
    /// </summary>
    internal const int EvaluationBatchSize = 512;

    private const ulong SplitStream = 1;
    private const ulong BatchOrderStream = 2;

    /// <summary>
    /// Trains one trial on <paramref name="device"/> ("cpu" or "cuda:N"), calling <paramref name="onEpoch"/> after
    /// every epoch (the caller stores it before training goes on). Seeded: same data, hyperparameters and seed give
    /// the same split and the same metrics on CPU. Stops early with <see cref="TrialState.Diverged"/> on a NaN or
    /// infinite loss, and before an epoch that would overrun the time budget. Not resumable: see the overload with
    /// <see cref="TrainingResume"/>.
    /// </summary>
    /// <inheritdoc cref="Train(ImageDataset, SweepDefinition, Hyperparameters, string, TrainingResume?, Func{EpochResult, string}, CancellationToken)" path="/remarks"/>
    /// <exception cref="ArgumentException">Invalid hyperparameters, split or device (e.g. a CUDA device not present).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static TrainingOutcome Train(
        ImageDataset data,
        SweepDefinition sweep,
        Hyperparameters hyperparameters,
        string device,
        Action<EpochMetrics> onEpoch,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onEpoch);
        return Train(data, sweep, hyperparameters, device, resume: null, result => onEpoch(result.Metrics), cancellationToken);
    }

    /// <summary>
    /// As the overload taking a <see cref="Func{EpochResult, String}"/>, with a callback that never stops the trial.
    /// </summary>
    /// <inheritdoc cref="Train(ImageDataset, SweepDefinition, Hyperparameters, string, TrainingResume?, Func{EpochResult, string}, CancellationToken)" path="/param"/>
    /// <inheritdoc cref="Train(ImageDataset, SweepDefinition, Hyperparameters, string, TrainingResume?, Func{EpochResult, string}, CancellationToken)" path="/remarks"/>
    /// <inheritdoc cref="Train(ImageDataset, SweepDefinition, Hyperparameters, string, TrainingResume?, Func{EpochResult, string}, CancellationToken)" path="/exception"/>
    public static TrainingOutcome Train(
        ImageDataset data,
        SweepDefinition sweep,
        Hyperparameters hyperparameters,
        string device,
        TrainingResume? resume,
        Action<EpochResult> onEpoch,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onEpoch);
        return Train(data, sweep, hyperparameters, device, resume, result =>
        {
            onEpoch(result);
            return null;
        }, cancellationToken);
    }

    /// <summary>
    /// Trains one trial on <paramref name="device"/> ("cpu" or "cuda:N"), or continues one from a checkpoint, calling
    /// <paramref name="onEpoch"/> after every epoch with the epoch's metrics and a checkpoint to resume after it (the
    /// caller stores both, together, before training goes on) and going on only if it returns null. Seeded: same
    /// data, hyperparameters and seed give the same split and the same metrics on CPU, whether or not the trial was
    /// interrupted and resumed. Stops early with <see cref="TrialState.Diverged"/> on a NaN or infinite loss, before
    /// an epoch that would overrun the time budget, with <see cref="TrialState.Pruned"/> when the caller says so, and
    /// by the sweep's <see cref="SweepDefinition.EarlyStopping"/>, keeping the best epoch's weights.
    /// </summary>
    /// <param name="resume">Null to start the trial; otherwise the last stored epoch and its checkpoint: training
    /// continues with the next epoch, and the epochs up to <see cref="TrainingResume.Epoch"/> are not reported
    /// again.</param>
    /// <param name="onEpoch">Stores the epoch, then returns null to go on, or the reason to stop the trial here (a
    /// pruner's verdict): the outcome is then <see cref="TrialState.Pruned"/> with that reason as its message, after
    /// this epoch.</param>
    /// <remarks>
    /// <list type="bullet">
    /// <item>Split: the dataset's images are shuffled with the trial's seed; the first
    /// ⌊count × training percentage⌋ train, the rest validate. Each epoch visits the training images in a new order
    /// from the same seed; the last, partial batch is kept.</item>
    /// <item>Metrics: <c>loss</c> and <c>accuracy</c> are the running means over the epoch's training batches
    /// (weighted by batch size, as Keras reports them); <c>val_loss</c> and <c>val_accuracy</c> are measured after the
    /// epoch under no_grad. <c>seconds</c> is the epoch's wall time (training and validation);
    /// <c>images_per_second</c> is (training + validation images) / seconds.</item>
    /// <item>Checkpoints: a few tens of kilobytes in a versioned format of our own (see <see cref="Checkpoint"/>):
    /// model, optimizer state, both generators, the epoch, and the trial's seconds so far; with early stopping also
    /// the early-stopping metric's value of every epoch so far and the best epoch's model weights (not its optimizer
    /// state; left out when the best epoch is the checkpoint's own, whose model is already there). Resuming from the
    /// checkpoint of epoch k on the same thread count gives epochs k + 1, ... bit-identical to an uninterrupted run,
    /// and the same early stop, <see cref="TrainingOutcome.ResultEpoch"/> and final confusion.
    /// A checkpoint of another trial (other hyperparameters, dataset or model) is an <see cref="ArgumentException"/>
    /// naming the settings that differ; a damaged one an <see cref="InvalidDataException"/> saying what is
    /// wrong.</item>
    /// <item>Divergence: a NaN or infinite training or validation loss ends the trial as
    /// <see cref="TrialState.Diverged"/> with a message naming the epoch (and batch). That epoch is not reported and
    /// not counted in <see cref="TrainingOutcome.EpochsRun"/>: its metrics are not numbers and would only poison the
    /// store's rankings. Losses are read once per epoch, so a diverging epoch runs to its end first.</item>
    /// <item>Time budget: the first epoch always runs (there is nothing to estimate from); before each later epoch,
    /// training stops if the trial's time so far (including the runs before a resume) plus its mean epoch time would
    /// exceed the budget. The outcome is then <see cref="TrialState.Completed"/>, with a message saying how many
    /// epochs fit.</item>
    /// <item>Pruning: when <paramref name="onEpoch"/> returns a reason, training ends after that epoch as
    /// <see cref="TrialState.Pruned"/>, the reason as message, <see cref="TrainingOutcome.EpochsRun"/> that epoch.</item>
    /// <item>Early stopping, when <see cref="SweepDefinition.EarlyStopping"/> is set: after each epoch is reported
    /// (and not pruned), <see cref="Patience.Check"/> judges the metric's values of all the trial's epochs so far
    /// (those before a resume included; accuracies negated, as lower is better there). When it says stop before the
    /// last epoch, the trial ends <see cref="TrialState.Completed"/> with a message "stopped early after epoch e: ...;
    /// kept epoch b's weights". Whatever ends the trial (all epochs run, an early stop, the time budget, pruning,
    /// divergence after a good epoch), its final model is then the best epoch's (<see cref="PatienceDecision.BestEpoch"/>):
    /// those weights are loaded back, <see cref="TrainingOutcome.ResultEpoch"/> names that epoch, and
    /// <see cref="TrainingOutcome.Confusion"/> is measured on them (one more validation pass). Without early
    /// stopping, ResultEpoch is null and Confusion is the last epoch's. A resume from the checkpoint of the epoch
    /// that decided an early stop ends at once, as the uninterrupted run did; the early-stopping spec is part of the
    /// trial's fingerprint, so a checkpoint written under another one (or none) is refused.</item>
    /// <item>Cancellation is checked between batches and throws <see cref="OperationCanceledException"/>: the trial
    /// did not fail, and the caller decides whether it is re-queued (and resumed from its last stored
    /// checkpoint).</item>
    /// <item>Determinism: on the CPU, the same data, hyperparameters, seed and thread count give bit-identical
    /// metrics (apart from the timings). The seed goes to <c>torch.manual_seed</c>, which is process-wide: run one
    /// trial at a time per process.</item>
    /// </list>
    /// </remarks>
    /// <exception cref="ArgumentException">Invalid hyperparameters, split, early-stopping spec or device (e.g. a CUDA
    /// device not present); a checkpoint of another trial, or of another epoch than <see cref="TrainingResume.Epoch"/>.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is not one, of a newer format, truncated or corrupt.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static TrainingOutcome Train(
        ImageDataset data,
        SweepDefinition sweep,
        Hyperparameters hyperparameters,
        string device,
        TrainingResume? resume,
        Func<EpochResult, string?> onEpoch,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(onEpoch);
        Validate(hyperparameters);
        if (!Enum.IsDefined(hyperparameters.Model))
            throw new ArgumentException($"Model {hyperparameters.Model} is not one of {string.Join(", ", Enum.GetNames<ModelKind>())}.", nameof(hyperparameters));
        if (sweep.EarlyStopping is { } early)
            Validate(early);

        TorchRuntime.EnsureNativeReady();
        var torchDevice = TorchDevices.Resolve(device);
        var fingerprint = TrialFingerprint.Of(sweep, hyperparameters, data);
        var checkpoint = resume is null ? null : Resumable(resume, fingerprint, hyperparameters.Epochs, sweep.EarlyStopping);
        var (train, validation) = Split(data.Count, sweep.Dataset.TrainingPercentage, hyperparameters.Seed);
        using var run = new TrainingRun(data, hyperparameters, sweep.EarlyStopping, fingerprint, torchDevice, train, validation, checkpoint);
        return run.Execute(onEpoch, cancellationToken);
    }

    /// <summary>The checkpoint, decoded and checked to belong to this trial and to the epoch the caller says.</summary>
    private static Checkpoint Resumable(TrainingResume resume, string fingerprint, int epochs, EarlyStoppingSpec? early)
    {
        ArgumentNullException.ThrowIfNull(resume.Checkpoint, nameof(resume));
        var checkpoint = Checkpoint.Decode(resume.Checkpoint);
        if (TrialFingerprint.Difference(fingerprint, checkpoint.Fingerprint) is { } difference)
            throw new ArgumentException($"The checkpoint belongs to another trial: {difference}.", nameof(resume));
        if (checkpoint.Epoch != resume.Epoch)
            throw new ArgumentException(
                $"Asked to resume after epoch {resume.Epoch}, but the checkpoint is of epoch {checkpoint.Epoch}.", nameof(resume));
        // The same trial cannot have written these; only a faulty writer could.
        if (checkpoint.Epoch < 1 || checkpoint.Epoch > epochs)
            throw new InvalidDataException($"Checkpoint of epoch {checkpoint.Epoch}, outside this trial's epochs 1 to {epochs}.");
        // The fingerprint names the early stopping, so these too only a faulty writer could cause.
        if (early is null && checkpoint.EarlyStopping is not null)
            throw new InvalidDataException("Checkpoint holds early-stopping state, but this trial's sweep has no early stopping.");
        if (early is not null)
        {
            var state = checkpoint.EarlyStopping
                ?? throw new InvalidDataException("Checkpoint holds no early-stopping state, but this trial's sweep stops early.");
            if (state.Values.Count != checkpoint.Epoch)
                throw new InvalidDataException(
                    $"Checkpoint of epoch {checkpoint.Epoch} holds {state.Values.Count} values of {early.Metric}, not one per epoch.");
            var best = Judge(state.Values, early).BestEpoch;
            if (state.BestEpoch != best)
                throw new InvalidDataException(
                    $"Checkpoint names epoch {state.BestEpoch?.ToString(CultureInfo.InvariantCulture) ?? "none"} as the best, " +
                    $"but its values of {early.Metric} make it {best?.ToString(CultureInfo.InvariantCulture) ?? "none"}.");
            if (best is { } b && b != checkpoint.Epoch && state.BestModel is null)
                throw new InvalidDataException($"Checkpoint lacks the weights of its best epoch {b}.");
        }
        return checkpoint;
    }

    /// <summary>The trial's split: indices into the dataset, training first. Exposed for tests.</summary>
    internal static (int[] Train, int[] Validation) Split(int count, double trainingPercentage, int seed)
    {
        if (!(trainingPercentage > 0 && trainingPercentage < 1))
            throw new ArgumentException(
                $"Training percentage {trainingPercentage.ToString(CultureInfo.InvariantCulture)} must lie strictly between 0 and 1.");
        // The same count validation checked batch sizes against (decimal, so 100 × 0.29 is 29, not 28).
        var trainCount = DatasetSpec.TrainingImagesOf(count, trainingPercentage);
        if (trainCount < 1 || trainCount >= count)
            throw new ArgumentException(
                $"Training percentage {trainingPercentage.ToString(CultureInfo.InvariantCulture)} of {count} images leaves " +
                $"{trainCount} for training and {count - trainCount} for validation; both need at least one.");
        var order = Enumerable.Range(0, count).ToArray();
        var random = SplitMix64.ForStream(seed, SplitStream);
        random.Shuffle(order.AsSpan());
        return (order[..trainCount], order[trainCount..]);
    }

    /// <summary>Patience's verdict over the metric's values as reported (negated when higher is better).</summary>
    private static PatienceDecision Judge(IReadOnlyList<double> values, EarlyStoppingSpec early)
    {
        var sign = MetricNames.HigherIsBetter(early.Metric) ? -1.0 : 1.0;
        return Patience.Check(values.Select(v => sign * v).ToArray(), early.Patience, early.MinDelta);
    }

    private static void Validate(EarlyStoppingSpec early)
    {
        if (!MetricNames.IsKnown(early.Metric))
            throw new ArgumentException(
                $"Early-stopping metric '{early.Metric}' is not one of {string.Join(", ", MetricNames.All)}.", "sweep");
        if (early.Patience < 1)
            throw new ArgumentException($"Early-stopping patience {early.Patience} must be at least 1.", "sweep");
        if (!(double.IsFinite(early.MinDelta) && early.MinDelta >= 0))
            throw new ArgumentException($"Early-stopping min_delta {early.MinDelta} must be a finite number ≥ 0.", "sweep");
    }

    private static void Validate(Hyperparameters hp)
    {
        if (!HyperparameterLimits.IsLearningRate(hp.LearningRate))
            throw new ArgumentException($"Learning rate {hp.LearningRate} must be {HyperparameterLimits.LearningRateAllowed}.", nameof(hp));
        if (hp.BatchSize < 1)
            throw new ArgumentException($"Batch size {hp.BatchSize} must be at least 1.", nameof(hp));
        if (hp.Epochs < 1)
            throw new ArgumentException($"Epochs {hp.Epochs} must be at least 1.", nameof(hp));
        if (hp.TimeBudget is { } budget && budget <= TimeSpan.Zero)
            throw new ArgumentException($"Time budget {budget} must be positive.", nameof(hp));
    }

    /// <summary>One trial's model, optimizer and data on its device; disposes all of them.</summary>
    private sealed class TrainingRun : IDisposable
    {
        private readonly Hyperparameters _hp;
        private readonly string _fingerprint;
        private readonly Device _device;
        private readonly Tensor _images;
        private readonly Tensor _labels;
        private readonly bool _ownsData;
        private readonly long[] _train;
        private readonly Tensor _validation;
        private readonly nn.Module<Tensor, Tensor> _model;
        private readonly optim.Optimizer _optimizer;
        private readonly Func<Tensor, Tensor, Tensor> _loss;
        private readonly int _classes;
        private readonly int _firstEpoch;
        private readonly double _priorSeconds;
        private readonly double _priorEpochSeconds;
        private SplitMix64 _batchOrder;

        // Early stopping: the spec, the metric's value of every epoch so far (as reported), the best epoch and its
        // model (host copies, taken when an epoch becomes the best).
        private readonly EarlyStoppingSpec? _early;
        private readonly List<double> _values = [];
        private int? _bestEpoch;
        private IReadOnlyList<NamedTensor>? _bestModel;

        // The confusion of the last reported epoch, and the resumed checkpoint's model: the final confusion without
        // early stopping, when this call reported no epoch.
        private IReadOnlyList<IReadOnlyList<int>>? _lastConfusion;
        private readonly IReadOnlyList<NamedTensor>? _resumedModel;

        internal TrainingRun(
            ImageDataset data, Hyperparameters hp, EarlyStoppingSpec? early, string fingerprint, Device device,
            int[] train, int[] validation, Checkpoint? resume)
        {
            _hp = hp;
            _early = early;
            _fingerprint = fingerprint;
            _device = device;
            _train = Array.ConvertAll(train, i => (long)i);
            _batchOrder = SplitMix64.ForStream(hp.Seed, BatchOrderStream);
            _loss = Losses.For(hp.Loss, data.Classes);
            _classes = data.Classes;

            // The model first: it is what refuses unsuitable data, before anything is copied.
            torch.manual_seed(hp.Seed);
            _model = Models.Create(hp.Model, data.Channels, data.Height, data.Width, data.Classes);
            _model.to(device);
            _optimizer = Optimizers.Create(hp.Optimizer, _model.parameters(), hp.LearningRate);

            if (resume is not null)
            {
                // Built as for a fresh start, then overwritten: the fresh weights are thrown away, but the model and
                // optimizer are exactly the objects an uninterrupted run has.
                try
                {
                    TorchState.RestoreModel(_model, resume.Model);
                    TorchState.RestoreOptimizer(_optimizer, resume.Optimizer, device);
                }
                catch
                {
                    _optimizer.Dispose();
                    _model.Dispose();
                    throw;
                }
                TorchState.RestoreRng(resume.TorchRngState);
                _batchOrder = new SplitMix64(resume.BatchOrderState);
                _firstEpoch = resume.Epoch + 1;
                _priorSeconds = resume.TrainingSeconds;
                _priorEpochSeconds = resume.EpochSeconds;
                _resumedModel = resume.Model;
                if (resume.EarlyStopping is { } state)
                {
                    // Checked by Resumable: one value per epoch, and the best epoch's model unless it is this one's.
                    _values.AddRange(state.Values);
                    _bestEpoch = state.BestEpoch;
                    _bestModel = state.BestEpoch == resume.Epoch ? resume.Model : state.BestModel;
                }
            }
            else
            {
                _firstEpoch = 1;
            }

            // The dataset lives on the CPU; another device gets one copy per trial rather than one per batch.
            _ownsData = device.type != DeviceType.CPU;
            _images = _ownsData ? data.Images.to(device).DetachFromDisposeScope() : data.Images;
            _labels = _ownsData ? data.Labels.to(device).DetachFromDisposeScope() : data.Labels;
            _validation = torch.tensor(Array.ConvertAll(validation, i => (long)i), device: device).DetachFromDisposeScope();
        }

        internal TrainingOutcome Execute(Func<EpochResult, string?> onEpoch, CancellationToken ct)
        {
            var total = Stopwatch.StartNew();
            // Over every run of the trial: a resumed trial's budget and mean epoch include the epochs before.
            var epochSeconds = _priorEpochSeconds;
            var images = _train.Length + (int)_validation.shape[0];

            // A run stopped after the epoch that made early stopping decide (before the trial was marked finished)
            // ends now, as the uninterrupted run did then.
            if (_firstEpoch > 1 && EarlyStop(_firstEpoch - 1) is { } stoppedBefore)
                return Finish(TrialState.Completed, stoppedBefore, _firstEpoch - 1);

            for (var epoch = _firstEpoch; epoch <= _hp.Epochs; epoch++)
            {
                var done = epoch - 1;
                if (_hp.TimeBudget is { } budget && done > 0
                    && _priorSeconds + total.Elapsed.TotalSeconds + epochSeconds / done > budget.TotalSeconds)
                    return Finish(TrialState.Completed,
                        $"time budget {budget} allowed {done} of {_hp.Epochs} epochs " +
                        $"(mean epoch {(epochSeconds / done).ToString("0.0", CultureInfo.InvariantCulture)} s)", done);
                ct.ThrowIfCancellationRequested();

                var clock = Stopwatch.StartNew();
                var trained = TrainEpoch(ct);
                if (trained.FirstNonFiniteBatch is { } batch)
                    return Finish(TrialState.Diverged,
                        $"loss became {NonFinite(trained.NonFiniteValue)} at epoch {epoch} (batch {batch + 1} of {trained.Batches})", done);
                var validated = Evaluate();
                if (!double.IsFinite(validated.Loss))
                    return Finish(TrialState.Diverged, $"validation loss became {NonFinite(validated.Loss)} at epoch {epoch}", done);
                var seconds = clock.Elapsed.TotalSeconds;
                epochSeconds += seconds;

                var metrics = new EpochMetrics(
                    epoch, trained.Loss, trained.Accuracy, validated.Loss, validated.Accuracy, seconds, images / seconds);
                _lastConfusion = validated.Confusion;
                Remember(metrics);
                var stop = onEpoch(new EpochResult(metrics, Capture(epoch, _priorSeconds + total.Elapsed.TotalSeconds, epochSeconds))
                {
                    Confusion = validated.Confusion,
                });
                if (stop is not null)
                    return Finish(TrialState.Pruned, stop, epoch);
                if (EarlyStop(epoch) is { } stopped)
                    return Finish(TrialState.Completed, stopped, epoch);
            }
            return Finish(TrialState.Completed, null, _hp.Epochs);
        }

        /// <summary>With early stopping, records the epoch's value and, when it is the best so far, its weights.</summary>
        private void Remember(EpochMetrics metrics)
        {
            if (_early is null)
                return;
            _values.Add(MetricNames.ValueOf(metrics, _early.Metric));
            var best = Judge(_values, _early).BestEpoch;
            if (best == metrics.Epoch)
                _bestModel = TorchState.CaptureModel(_model);
            _bestEpoch = best;
        }

        /// <summary>The message of an early stop after <paramref name="epoch"/>, or null to go on.</summary>
        private string? EarlyStop(int epoch)
        {
            if (_early is not { } early || epoch >= _hp.Epochs)
                return null;
            var decision = Judge(_values, early);
            if (!decision.Stop)
                return null;
            var improved = epoch - decision.EpochsSinceImprovement;
            var why = improved == 0
                ? $"{decision.EpochsSinceImprovement} epochs without a finite {early.Metric}"
                : $"{decision.EpochsSinceImprovement} epochs since epoch {improved} improved {early.Metric} by more than " +
                  $"{early.MinDelta.ToString("G6", CultureInfo.InvariantCulture)} (patience {early.Patience})";
            var kept = decision.BestEpoch is { } best
                ? $"kept epoch {best}'s weights ({early.Metric} {_values[best - 1].ToString("G6", CultureInfo.InvariantCulture)})"
                : "no epoch to keep";
            return $"stopped early after epoch {epoch}: {why}; {kept}";
        }

        /// <summary>
        /// The outcome, with the final model in place: the best epoch's weights with early stopping, and its
        /// validation confusion.
        /// </summary>
        private TrainingOutcome Finish(TrialState state, string? message, int epochsRun)
        {
            int? resultEpoch = null;
            IReadOnlyList<IReadOnlyList<int>> confusion = [];
            if (_early is not null && _bestEpoch is { } best)
            {
                TorchState.RestoreModel(_model, _bestModel!);
                resultEpoch = best;
                confusion = Evaluate().Confusion;
            }
            else if (_lastConfusion is not null)
            {
                confusion = _lastConfusion;
            }
            else if (epochsRun > 0 && _resumedModel is not null)
            {
                // Nothing reported since the resume: the model is the checkpoint's (unless this run diverged).
                if (state == TrialState.Diverged)
                    TorchState.RestoreModel(_model, _resumedModel);
                confusion = Evaluate().Confusion;
            }
            return new TrainingOutcome(state, message, epochsRun) { ResultEpoch = resultEpoch, Confusion = confusion };
        }

        /// <summary>The checkpoint after <paramref name="epoch"/>: what a fresh process needs to run the next one.</summary>
        internal byte[] Capture(int epoch, double trainingSeconds, double epochSeconds) =>
            new Checkpoint(
                _fingerprint,
                epoch,
                trainingSeconds,
                epochSeconds,
                _batchOrder.State,
                TorchState.CaptureRng(),
                TorchState.CaptureModel(_model),
                TorchState.CaptureOptimizer(_optimizer))
            {
                EarlyStopping = _early is null
                    ? null
                    // The best epoch's model only when it is not this one's: the checkpoint's model is then it.
                    : new EarlyStoppingState(_values.ToArray(), _bestEpoch, _bestEpoch == epoch ? null : _bestModel),
            }.Encode();

        private static string NonFinite(double value) => double.IsNaN(value) ? "NaN" : "infinite";

        private sealed record TrainPass(double Loss, double Accuracy, int Batches, int? FirstNonFiniteBatch, double NonFiniteValue);

        private sealed record EvaluationPass(double Loss, double Accuracy, int[][] Confusion);

        private TrainPass TrainEpoch(CancellationToken ct)
        {
            _model.train();
            var order = (long[])_train.Clone();
            _batchOrder.Shuffle(order.AsSpan());

            var size = _hp.BatchSize;
            var batches = (order.Length + size - 1) / size;
            // BatchNorm cannot take batch statistics of one image (PyTorch refuses them when the features are 1×1,
            // as MobileNet's are at its minimum input size): a last batch of a single image is left out of this
            // epoch, as drop_last would; the order is shuffled anew each epoch, so it trains in others. SimpleCNN has
            // no BatchNorm and keeps every batch, so its runs are unchanged.
            var trained = _hp.Model == ModelKind.MobileNet && batches > 1 && order.Length - (batches - 1) * size == 1
                ? order.Length - 1
                : order.Length;
            batches = (trained + size - 1) / size;
            int CountOf(int b) => Math.Min(size, trained - b * size);
            // Per-batch losses and the correct count stay on the device and are read once per epoch: a .item() per
            // batch would synchronise (and cost a host round trip) every step.
            using var permutation = torch.tensor(order, device: _device);
            using var losses = torch.empty(batches, ScalarType.Float32, _device);
            using var correct = torch.zeros(1, ScalarType.Int64, _device);

            for (var b = 0; b < batches; b++)
            {
                ct.ThrowIfCancellationRequested();
                var start = b * size;
                var count = CountOf(b);
                using var scope = torch.NewDisposeScope();
                var index = permutation.narrow(0, start, count);
                var x = _images.index_select(0, index);
                var y = _labels.index_select(0, index);
                var logits = _model.forward(x);
                var loss = _loss(logits, y);
                _optimizer.zero_grad();
                loss.backward();
                _optimizer.step();
                using (torch.no_grad())
                {
                    losses[b].copy_(loss);
                    correct.add_(logits.argmax(1).eq(y).sum());
                }
            }

            var values = ToHost(losses);
            var sum = 0.0;
            for (var b = 0; b < batches; b++)
            {
                if (!float.IsFinite(values[b]))
                    return new TrainPass(double.NaN, double.NaN, batches, b, values[b]);
                sum += (double)values[b] * CountOf(b);
            }
            return new TrainPass(sum / trained, (double)correct.item<long>() / trained, batches, null, 0);
        }

        private EvaluationPass Evaluate()
        {
            _model.eval();
            var count = (int)_validation.shape[0];
            var batches = (count + EvaluationBatchSize - 1) / EvaluationBatchSize;
            using var noGrad = torch.no_grad();
            using var losses = torch.empty(batches, ScalarType.Float32, _device);
            using var correct = torch.zeros(1, ScalarType.Int64, _device);
            // Confusion counts as one flat [actual × classes + predicted] histogram, read once after the pass.
            using var confusion = torch.zeros(_classes * _classes, ScalarType.Int64, _device);
            for (var b = 0; b < batches; b++)
            {
                var start = b * EvaluationBatchSize;
                using var scope = torch.NewDisposeScope();
                var index = _validation.narrow(0, start, Math.Min(EvaluationBatchSize, count - start));
                var y = _labels.index_select(0, index);
                var logits = _model.forward(_images.index_select(0, index));
                losses[b].copy_(_loss(logits, y));
                var predicted = logits.argmax(1);
                correct.add_(predicted.eq(y).sum());
                confusion.add_(torch.bincount(y * _classes + predicted, minlength: _classes * _classes));
            }
            var values = ToHost(losses);
            var sum = 0.0;
            for (var b = 0; b < batches; b++)
                sum += (double)values[b] * Math.Min(EvaluationBatchSize, count - b * EvaluationBatchSize);
            using var counts = confusion.cpu();
            var flat = counts.data<long>().ToArray();
            var matrix = Enumerable.Range(0, _classes)
                .Select(actual => Enumerable.Range(0, _classes).Select(predicted => checked((int)flat[actual * _classes + predicted])).ToArray())
                .ToArray();
            return new EvaluationPass(sum / count, (double)correct.item<long>() / count, matrix);
        }

        private static float[] ToHost(Tensor values)
        {
            if (values.device_type == DeviceType.CPU)
                return values.data<float>().ToArray();
            using var host = values.cpu();
            return host.data<float>().ToArray();
        }

        public void Dispose()
        {
            _optimizer.Dispose();
            _model.Dispose();
            _validation.Dispose();
            if (_ownsData)
            {
                _images.Dispose();
                _labels.Dispose();
            }
        }
    }
}
