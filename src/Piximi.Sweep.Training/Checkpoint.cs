using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Piximi.Sweep.Training;

/// <summary>
/// Everything needed to continue a trial after an epoch, as plain data (no tensors), and its byte format. The bytes
/// go to the store as they are and may come back in another process, on another machine, after a crash, so they are
/// self-checking: a checkpoint that is not ours, of a newer format, truncated or corrupted is an
/// <see cref="InvalidDataException"/> that says which, never a half-restored trial.
/// </summary>
/// <remarks>
/// Format version 2, little-endian throughout (<see cref="BinaryWriter"/>; strings are UTF-8 with a 7-bit-encoded
/// length):
/// <code>
/// header   4 bytes  magic "PXCK"
///          int32    format version (2; version 1 is read too)
///          int64    payload length in bytes
///          32 bytes SHA-256 of the payload
/// payload  string   trial fingerprint (see TrialFingerprint)
///          int32    epoch the checkpoint follows
///          double   training seconds: the trial's wall time so far, over every run that led here
///          double   epoch seconds: the sum of the reported epochs' seconds
///          uint64   state of the batch-order generator (SplitMix64)
///          int32 n, n bytes   torch's CPU generator state (torch.get_rng_state)
///          int32 n, n × (string name, tensor)   the model's parameters and buffers, in state_dict order
///          string   the optimizer's TorchSharp class name
///          int32 n, n × parameter state: int32 m, m × (string field, byte kind, value)
///                   kind 0: int64; kind 1: tensor; kind 2: no tensor (a buffer the optimizer creates lazily)
///          early-stopping section, only when the sweep has early stopping (it then ends the payload):
///          int32 n, n × double   the early-stopping metric's value of epochs 1 to n (n = the checkpoint's epoch), as
///                   reported (the metric is named in the fingerprint)
///          int32    the best epoch so far (Patience's BestEpoch), 0 when no epoch had a finite value
///          int32 n, n × (string name, tensor)   the best epoch's model, as above; n = 0 when there is no best epoch
///                   or it is the checkpoint's own epoch (the model above is then the best one)
/// tensor   byte ScalarType, int32 rank, rank × int64 sizes, int64 n, n bytes of contiguous data
/// </code>
/// Version 1 is version 2 without the early-stopping section: it had none, so its bytes read as a checkpoint of a
/// sweep without early stopping, and a sweep without early stopping writes checkpoints of exactly version 1's size.
/// The best epoch's weights are the model only (no optimizer state): nothing trains on from them, they only become
/// the trial's model when it ends.
/// SHA-256 rather than a CRC: .NET has it built in, and on tens of kilobytes it costs microseconds.
/// </remarks>
internal sealed record Checkpoint(
    string Fingerprint,
    int Epoch,
    double TrainingSeconds,
    double EpochSeconds,
    ulong BatchOrderState,
    byte[] TorchRngState,
    IReadOnlyList<NamedTensor> Model,
    OptimizerSnapshot Optimizer)
{
    internal const int FormatVersion = 2;

    /// <summary>The oldest format version this build still reads.</summary>
    internal const int OldestReadableVersion = 1;

    /// <summary>What early stopping needs to go on exactly; null (and not written) when the sweep has none.</summary>
    internal EarlyStoppingState? EarlyStopping { get; init; }

    /// <summary>"PXCK": Piximi checkpoint.</summary>
    internal static ReadOnlySpan<byte> Magic => "PXCK"u8;

    internal const int HeaderLength = 4 + 4 + 8 + 32;

    // Generous bounds for reading, so that a damaged length cannot ask for gigabytes before the checksum is known to
    // be right (it is checked first, but a writer bug should still fail with a message, not an OutOfMemory).
    private const int MaxRank = 8;

    internal byte[] Encode()
    {
        using var payload = new MemoryStream();
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Fingerprint);
            writer.Write(Epoch);
            writer.Write(TrainingSeconds);
            writer.Write(EpochSeconds);
            writer.Write(BatchOrderState);
            writer.Write(TorchRngState.Length);
            writer.Write(TorchRngState);
            writer.Write(Model.Count);
            foreach (var tensor in Model)
            {
                writer.Write(tensor.Name);
                tensor.Data.Write(writer);
            }
            writer.Write(Optimizer.Kind);
            writer.Write(Optimizer.Parameters.Count);
            foreach (var state in Optimizer.Parameters)
            {
                writer.Write(state.Count);
                foreach (var field in state)
                {
                    writer.Write(field.Name);
                    writer.Write((byte)field.Kind);
                    if (field.Kind == StateFieldKind.Int64)
                        writer.Write(field.Number);
                    else if (field.Kind == StateFieldKind.Tensor)
                        field.Tensor!.Write(writer);
                }
            }
            if (EarlyStopping is { } early)
            {
                writer.Write(early.Values.Count);
                foreach (var value in early.Values)
                    writer.Write(value);
                writer.Write(early.BestEpoch ?? 0);
                var best = early.BestModel ?? [];
                writer.Write(best.Count);
                foreach (var tensor in best)
                {
                    writer.Write(tensor.Name);
                    tensor.Data.Write(writer);
                }
            }
        }

        var body = payload.GetBuffer().AsSpan(0, (int)payload.Length);
        var bytes = new byte[HeaderLength + body.Length];
        Magic.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(4), FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), body.Length);
        SHA256.HashData(body, bytes.AsSpan(16, 32));
        body.CopyTo(bytes.AsSpan(HeaderLength));
        return bytes;
    }

    /// <exception cref="InvalidDataException">Not a checkpoint, another format version, truncated, or corrupt.</exception>
    internal static Checkpoint Decode(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 4 || !bytes.AsSpan(0, 4).SequenceEqual(Magic))
            throw new InvalidDataException(
                $"Not a training checkpoint: it does not start with \"PXCK\" ({bytes.Length} bytes).");
        if (bytes.Length < HeaderLength)
            throw new InvalidDataException(
                $"Checkpoint truncated: {bytes.Length} bytes, shorter than its {HeaderLength}-byte header.");
        var version = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4));
        if (version < OldestReadableVersion || version > FormatVersion)
            throw new InvalidDataException(
                $"Checkpoint format version {version}; this build reads versions {OldestReadableVersion} to {FormatVersion}.");
        var length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        var actual = bytes.Length - HeaderLength;
        if (length != actual)
            throw new InvalidDataException(length > actual
                ? $"Checkpoint truncated: the header promises {length:N0} bytes of payload, only {actual:N0} follow."
                : $"Checkpoint has {actual - length:N0} bytes more than the {length:N0} bytes of payload its header promises.");
        var body = bytes.AsSpan(HeaderLength);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(body, hash);
        if (!hash.SequenceEqual(bytes.AsSpan(16, 32)))
            throw new InvalidDataException(
                $"Checkpoint corrupt: the SHA-256 of its {length:N0}-byte payload does not match the one in its header.");

        // Past the checksum, the payload is what a writer of this version wrote; a failure here is a writer bug.
        using var reader = new BinaryReader(new MemoryStream(bytes, HeaderLength, actual, writable: false), Encoding.UTF8);
        try
        {
            var fingerprint = reader.ReadString();
            var epoch = reader.ReadInt32();
            var trainingSeconds = reader.ReadDouble();
            var epochSeconds = reader.ReadDouble();
            var batchOrder = reader.ReadUInt64();
            var rng = ReadBytes(reader, reader.ReadInt32(), "torch generator state");
            var model = ReadModel(reader, "model tensors");
            var kind = reader.ReadString();
            var parameterCount = ReadCount(reader, "optimizer states");
            var parameters = new IReadOnlyList<StateField>[parameterCount];
            for (var p = 0; p < parameterCount; p++)
            {
                var fields = new StateField[ReadCount(reader, "optimizer state fields")];
                for (var f = 0; f < fields.Length; f++)
                {
                    var name = reader.ReadString();
                    var fieldKind = (StateFieldKind)reader.ReadByte();
                    fields[f] = fieldKind switch
                    {
                        StateFieldKind.Int64 => StateField.Of(name, reader.ReadInt64()),
                        StateFieldKind.Tensor => StateField.Of(name, TensorData.Read(reader, $"optimizer state {p} {name}")),
                        StateFieldKind.NoTensor => StateField.Of(name, (TensorData?)null),
                        _ => throw new InvalidDataException($"Checkpoint payload: optimizer state field {name} has unknown kind {(byte)fieldKind}."),
                    };
                }
                parameters[p] = fields;
            }
            // Version 1 ends here; version 2 too, unless the sweep has early stopping.
            EarlyStoppingState? early = null;
            if (version >= 2 && reader.BaseStream.Position != reader.BaseStream.Length)
            {
                var values = new double[ReadCount(reader, "early-stopping values")];
                for (var i = 0; i < values.Length; i++)
                    values[i] = reader.ReadDouble();
                var best = reader.ReadInt32();
                if (best < 0 || best > values.Length)
                    throw new InvalidDataException($"Checkpoint payload: best epoch {best} of {values.Length} early-stopping values.");
                var bestModel = ReadModel(reader, "best-epoch model tensors");
                early = new EarlyStoppingState(values, best == 0 ? null : best, bestModel.Length == 0 ? null : bestModel);
            }
            if (reader.BaseStream.Position != reader.BaseStream.Length)
                throw new InvalidDataException(
                    $"Checkpoint payload: {reader.BaseStream.Length - reader.BaseStream.Position} bytes left over after the " +
                    (early is null ? "optimizer state." : "early-stopping section."));
            return new Checkpoint(fingerprint, epoch, trainingSeconds, epochSeconds, batchOrder, rng, model,
                new OptimizerSnapshot(kind, parameters)) { EarlyStopping = early };
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException("Checkpoint payload ends early although its checksum is right: written by a faulty writer.");
        }
    }

    private static NamedTensor[] ReadModel(BinaryReader reader, string what)
    {
        var model = new NamedTensor[ReadCount(reader, what)];
        for (var i = 0; i < model.Length; i++)
        {
            var name = reader.ReadString();
            model[i] = new NamedTensor(name, TensorData.Read(reader, name));
        }
        return model;
    }

    internal static int ReadCount(BinaryReader reader, string what)
    {
        var count = reader.ReadInt32();
        if (count < 0 || count > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException($"Checkpoint payload: {count} {what} cannot fit in what is left of it.");
        return count;
    }

    internal static byte[] ReadBytes(BinaryReader reader, long count, string what)
    {
        if (count < 0 || count > reader.BaseStream.Length - reader.BaseStream.Position)
            throw new InvalidDataException($"Checkpoint payload: {count} bytes of {what} cannot fit in what is left of it.");
        return reader.ReadBytes((int)count);
    }

    internal static int CheckRank(int rank, string name) =>
        rank is >= 0 and <= MaxRank
            ? rank
            : throw new InvalidDataException($"Checkpoint payload: tensor {name} has rank {rank}.");
}

/// <summary>A tensor's type, shape and contiguous bytes, off any device.</summary>
internal sealed record TensorData(byte ScalarType, long[] Shape, byte[] Bytes)
{
    internal string Describe() =>
        $"{(TorchSharp.torch.ScalarType)ScalarType} [{string.Join(", ", Shape)}]";

    internal void Write(BinaryWriter writer)
    {
        writer.Write(ScalarType);
        writer.Write(Shape.Length);
        foreach (var size in Shape)
            writer.Write(size);
        writer.Write((long)Bytes.Length);
        writer.Write(Bytes);
    }

    internal static TensorData Read(BinaryReader reader, string name)
    {
        var type = reader.ReadByte();
        var shape = new long[Checkpoint.CheckRank(reader.ReadInt32(), name)];
        for (var d = 0; d < shape.Length; d++)
            shape[d] = reader.ReadInt64();
        var bytes = Checkpoint.ReadBytes(reader, reader.ReadInt64(), $"tensor {name}");
        return new TensorData(type, shape, bytes);
    }
}

internal sealed record NamedTensor(string Name, TensorData Data);

/// <summary>
/// Early stopping's memory at a checkpoint: the metric's value of every epoch so far (as reported, not sign-flipped),
/// the best epoch, and that epoch's model when it is not the checkpoint's own (null otherwise, and when there is no
/// best epoch).
/// </summary>
internal sealed record EarlyStoppingState(IReadOnlyList<double> Values, int? BestEpoch, IReadOnlyList<NamedTensor>? BestModel);

internal enum StateFieldKind : byte
{
    Int64 = 0,
    Tensor = 1,
    NoTensor = 2,
}

/// <summary>One public field of a TorchSharp optimizer's per-parameter state: a step count or a tensor (maybe absent).</summary>
internal sealed record StateField(string Name, StateFieldKind Kind, long Number, TensorData? Tensor)
{
    internal static StateField Of(string name, long number) => new(name, StateFieldKind.Int64, number, null);

    internal static StateField Of(string name, TensorData? tensor) =>
        new(name, tensor is null ? StateFieldKind.NoTensor : StateFieldKind.Tensor, 0, tensor);
}

/// <summary>The optimizer's class and, for each parameter in order, its state fields (sorted by name).</summary>
internal sealed record OptimizerSnapshot(string Kind, IReadOnlyList<IReadOnlyList<StateField>> Parameters);
