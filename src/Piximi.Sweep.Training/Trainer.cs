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
    /// depends on the batch, so only the speed changes (bigger batches run faster on the CPU).
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
    /// <inheritdoc cref="Train(ImageDataset, SweepDefinition, Hyperparameters, string, TrainingResume?, Action{EpochResult}, CancellationToken)" path="/remarks"/>
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
    /// Trains one trial on <paramref name="device"/> ("cpu" or "cuda:N"), or continues one from a checkpoint, calling
    /// <paramref name="onEpoch"/> after every epoch with the epoch's metrics and a checkpoint to resume after it (the
    /// caller stores both, together, before training goes on). Seeded: same data, hyperparameters and seed give the
    /// same split and the same metrics on CPU, whether or not the trial was interrupted and resumed. Stops early with
    /// <see cref="TrialState.Diverged"/> on a NaN or infinite loss, and before an epoch that would overrun the time
    /// budget.
    /// </summary>
    /// <param name="resume">Null to start the trial; otherwise the last stored epoch and its checkpoint: training
    /// continues with the next epoch, and the epochs up to <see cref="TrainingResume.Epoch"/> are not reported
    /// again.</param>
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
    /// model, optimizer state, both generators, the epoch, and the trial's seconds so far. Resuming from the
    /// checkpoint of epoch k on the same thread count gives epochs k + 1, ... bit-identical to an uninterrupted run.
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
    /// <item>Cancellation is checked between batches and throws <see cref="OperationCanceledException"/>: the trial
    /// did not fail, and the caller decides whether it is re-queued (and resumed from its last stored
    /// checkpoint).</item>
    /// <item>Determinism: on the CPU, the same data, hyperparameters, seed and thread count give bit-identical
    /// metrics (apart from the timings). The seed goes to <c>torch.manual_seed</c>, which is process-wide: run one
    /// trial at a time per process.</item>
    /// </list>
    /// </remarks>
    /// <exception cref="ArgumentException">Invalid hyperparameters, split or device (e.g. a CUDA device not
    /// present); a checkpoint of another trial, or of another epoch than <see cref="TrainingResume.Epoch"/>.</exception>
    /// <exception cref="InvalidDataException">The checkpoint is not one, of a newer format, truncated or corrupt.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static TrainingOutcome Train(
        ImageDataset data,
        SweepDefinition sweep,
        Hyperparameters hyperparameters,
        string device,
        TrainingResume? resume,
        Action<EpochResult> onEpoch,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(sweep);
        ArgumentNullException.ThrowIfNull(hyperparameters);
        ArgumentNullException.ThrowIfNull(onEpoch);
        Validate(hyperparameters);
        if (sweep.Model != ModelKind.SimpleCNN)
            throw new ArgumentException($"Model {sweep.Model} is not supported; SimpleCNN is.", nameof(sweep));

        TorchRuntime.EnsureNativeReady();
        var torchDevice = TorchDevices.Resolve(device);
        var fingerprint = TrialFingerprint.Of(sweep, hyperparameters, data);
        var checkpoint = resume is null ? null : Resumable(resume, fingerprint, hyperparameters.Epochs);
        var (train, validation) = Split(data.Count, sweep.Dataset.TrainingPercentage, hyperparameters.Seed);
        using var run = new TrainingRun(data, hyperparameters, fingerprint, torchDevice, train, validation, checkpoint);
        return run.Execute(onEpoch, cancellationToken);
    }

    /// <summary>The checkpoint, decoded and checked to belong to this trial and to the epoch the caller says.</summary>
    private static Checkpoint Resumable(TrainingResume resume, string fingerprint, int epochs)
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

    private static void Validate(Hyperparameters hp)
    {
        if (!(double.IsFinite(hp.LearningRate) && hp.LearningRate > 0))
            throw new ArgumentException($"Learning rate {hp.LearningRate} must be a positive number.", nameof(hp));
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
        private readonly SimpleCnn _model;
        private readonly optim.Optimizer _optimizer;
        private readonly Func<Tensor, Tensor, Tensor> _loss;
        private readonly int _classes;
        private readonly int _firstEpoch;
        private readonly double _priorSeconds;
        private readonly double _priorEpochSeconds;
        private SplitMix64 _batchOrder;

        internal TrainingRun(
            ImageDataset data, Hyperparameters hp, string fingerprint, Device device, int[] train, int[] validation,
            Checkpoint? resume)
        {
            _hp = hp;
            _fingerprint = fingerprint;
            _device = device;
            _train = Array.ConvertAll(train, i => (long)i);
            _batchOrder = SplitMix64.ForStream(hp.Seed, BatchOrderStream);
            _loss = Losses.For(hp.Loss, data.Classes);
            _classes = data.Classes;

            // The model first: it is what refuses unsuitable data, before anything is copied.
            torch.manual_seed(hp.Seed);
            _model = new SimpleCnn(channels: 1, data.Height, data.Width, data.Classes);
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

        internal TrainingOutcome Execute(Action<EpochResult> onEpoch, CancellationToken ct)
        {
            var total = Stopwatch.StartNew();
            // Over every run of the trial: a resumed trial's budget and mean epoch include the epochs before.
            var epochSeconds = _priorEpochSeconds;
            var images = _train.Length + (int)_validation.shape[0];

            for (var epoch = _firstEpoch; epoch <= _hp.Epochs; epoch++)
            {
                var done = epoch - 1;
                if (_hp.TimeBudget is { } budget && done > 0
                    && _priorSeconds + total.Elapsed.TotalSeconds + epochSeconds / done > budget.TotalSeconds)
                    return new TrainingOutcome(TrialState.Completed,
                        $"time budget {budget} allowed {done} of {_hp.Epochs} epochs " +
                        $"(mean epoch {(epochSeconds / done).ToString("0.0", CultureInfo.InvariantCulture)} s)", done);
                ct.ThrowIfCancellationRequested();

                var clock = Stopwatch.StartNew();
                var trained = TrainEpoch(ct);
                if (trained.FirstNonFiniteBatch is { } batch)
                    return Diverged($"loss became {NonFinite(trained.NonFiniteValue)} at epoch {epoch} (batch {batch + 1} of {trained.Batches})", done);
                var validated = Evaluate();
                if (!double.IsFinite(validated.Loss))
                    return Diverged($"validation loss became {NonFinite(validated.Loss)} at epoch {epoch}", done);
                var seconds = clock.Elapsed.TotalSeconds;
                epochSeconds += seconds;

                var metrics = new EpochMetrics(
                    epoch, trained.Loss, trained.Accuracy, validated.Loss, validated.Accuracy, seconds, images / seconds);
                onEpoch(new EpochResult(metrics, Capture(epoch, _priorSeconds + total.Elapsed.TotalSeconds, epochSeconds))
                {
                    Confusion = validated.Confusion,
                });
            }
            return new TrainingOutcome(TrialState.Completed, null, _hp.Epochs);
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
                TorchState.CaptureOptimizer(_optimizer)).Encode();

        private static TrainingOutcome Diverged(string message, int epochsRun) =>
            new(TrialState.Diverged, message, epochsRun);

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
            // Per-batch losses and the correct count stay on the device and are read once per epoch: a .item() per
            // batch would synchronise (and cost a host round trip) every step.
            using var permutation = torch.tensor(order, device: _device);
            using var losses = torch.empty(batches, ScalarType.Float32, _device);
            using var correct = torch.zeros(1, ScalarType.Int64, _device);

            for (var b = 0; b < batches; b++)
            {
                ct.ThrowIfCancellationRequested();
                var start = b * size;
                var count = Math.Min(size, order.Length - start);
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
                sum += (double)values[b] * Math.Min(size, order.Length - b * size);
            }
            return new TrainPass(sum / order.Length, (double)correct.item<long>() / order.Length, batches, null, 0);
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
