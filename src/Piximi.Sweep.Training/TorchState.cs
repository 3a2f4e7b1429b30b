using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Piximi.Sweep.Training;

/// <summary>
/// Copies training state between TorchSharp objects and a <see cref="Checkpoint"/>'s plain data: model tensors,
/// optimizer state, torch's generator. Restoring copies into the live tensors (on their device) and checks every name,
/// type and shape first, so a checkpoint that does not fit this build is refused rather than half applied.
/// </summary>
internal static class TorchState
{
    // ---- model ----

    /// <summary>Parameters and buffers, in state_dict order.</summary>
    internal static IReadOnlyList<NamedTensor> CaptureModel(nn.Module module)
    {
        using var scope = torch.NewDisposeScope();
        return module.state_dict().Select(entry => new NamedTensor(entry.Key, ToData(entry.Value))).ToArray();
    }

    /// <exception cref="InvalidDataException">A tensor is missing, extra, or of another type or shape.</exception>
    internal static void RestoreModel(nn.Module module, IReadOnlyList<NamedTensor> tensors)
    {
        var live = module.state_dict();
        var saved = tensors.Select(t => t.Name).ToArray();
        if (!live.Keys.SequenceEqual(saved))
            throw new InvalidDataException(
                $"Checkpoint holds model tensors [{string.Join(", ", saved)}]; this model has [{string.Join(", ", live.Keys)}].");
        foreach (var tensor in tensors)
            Check(tensor.Data, live[tensor.Name], $"model tensor {tensor.Name}");
        using var scope = torch.NewDisposeScope();
        foreach (var tensor in tensors)
            CopyInto(tensor.Data, live[tensor.Name]);
    }

    // ---- optimizer ----

    /// <summary>
    /// TorchSharp 0.107 implements every optimizer in .NET (<see cref="OptimizerHelper"/>); its per-parameter state is
    /// an object whose public fields are the state (Adam: step, exp_avg, exp_avg_sq, max_exp_avg_sq; SGD:
    /// momentum_buffer; ...). All public fields are taken, whatever the optimizer: a field added by a later TorchSharp
    /// is then stored too, and a field of a type we cannot store fails here, loudly, not at resume.
    /// (<c>OptimizerHelper.save_state_dict</c>/<c>load_state_dict(BinaryReader)</c> exist too, but in TorchSharp's
    /// source SGD's loader creates a missing momentum buffer with <c>torch.empty(shape)</c>, on the default device
    /// whatever the parameters' device, and the format is TorchSharp's to change. Here every restored tensor goes
    /// where its parameter is, and the format is ours.)
    /// </summary>
    internal static OptimizerSnapshot CaptureOptimizer(optim.Optimizer optimizer)
    {
        var helper = Helper(optimizer);
        using var scope = torch.NewDisposeScope();
        var states = helper.state_dict().State.Select(state => (IReadOnlyList<StateField>)Fields(state)
            .Select(field => field.FieldType == typeof(long)
                ? StateField.Of(field.Name, (long)field.GetValue(state)!)
                : StateField.Of(field.Name, field.GetValue(state) is Tensor tensor ? ToData(tensor) : null))
            .ToArray()).ToArray();
        return new OptimizerSnapshot(helper.GetType().Name, states);
    }

    /// <exception cref="InvalidDataException">Another optimizer, or state that does not fit its parameters.</exception>
    internal static void RestoreOptimizer(optim.Optimizer optimizer, OptimizerSnapshot snapshot, Device device)
    {
        var helper = Helper(optimizer);
        if (snapshot.Kind != helper.GetType().Name)
            throw new InvalidDataException(
                $"Checkpoint holds the state of a {snapshot.Kind} optimizer; this trial uses {helper.GetType().Name}.");
        var states = helper.state_dict().State;
        if (states.Count != snapshot.Parameters.Count)
            throw new InvalidDataException(
                $"Checkpoint holds optimizer state for {snapshot.Parameters.Count} parameters; the optimizer has {states.Count}.");

        // Check everything before changing anything.
        var plan = new List<(OptimizerState State, FieldInfo Field, StateField Saved)>();
        for (var p = 0; p < states.Count; p++)
        {
            var fields = Fields(states[p]);
            var saved = snapshot.Parameters[p];
            if (!fields.Select(f => f.Name).SequenceEqual(saved.Select(f => f.Name)))
                throw new InvalidDataException(
                    $"Checkpoint's {snapshot.Kind} state of parameter {p} has fields [{string.Join(", ", saved.Select(f => f.Name))}]; " +
                    $"this TorchSharp's has [{string.Join(", ", fields.Select(f => f.Name))}].");
            for (var f = 0; f < fields.Length; f++)
            {
                var (field, value) = (fields[f], saved[f]);
                var expected = field.FieldType == typeof(long) ? StateFieldKind.Int64 : StateFieldKind.Tensor;
                if (value.Kind != expected && !(expected == StateFieldKind.Tensor && value.Kind == StateFieldKind.NoTensor))
                    throw new InvalidDataException(
                        $"Checkpoint's {snapshot.Kind} state field {field.Name} of parameter {p} is {value.Kind}, not {expected}.");
                if (value.Tensor is { } data && field.GetValue(states[p]) is Tensor live)
                    Check(data, live, $"{snapshot.Kind} state {field.Name} of parameter {p}");
                plan.Add((states[p], field, value));
            }
        }

        using var scope = torch.NewDisposeScope();
        foreach (var (state, field, saved) in plan)
        {
            if (saved.Kind == StateFieldKind.Int64)
            {
                field.SetValue(state, saved.Number);
                continue;
            }
            var live = field.GetValue(state) as Tensor;
            if (saved.Tensor is not { } data)
            {
                // Absent in the checkpoint (created on the first step): absent here too.
                live?.Dispose();
                field.SetValue(state, null);
                continue;
            }
            if (live is null)
            {
                // The optimizer creates this buffer on its first step; it outlives this scope.
                live = torch.empty(data.Shape, (ScalarType)data.ScalarType, device).DetachFromDisposeScope();
                field.SetValue(state, live);
            }
            CopyInto(data, live);
        }
    }

    // ---- torch's generator ----

    internal static byte[] CaptureRng()
    {
        using var state = torch.get_rng_state();
        return state.bytes.ToArray();
    }

    internal static void RestoreRng(byte[] state)
    {
        using var tensor = torch.empty(state.Length, ScalarType.Byte);
        tensor.bytes = state;
        torch.set_rng_state(tensor);
    }

    // ---- tensors ----

    internal static TensorData ToData(Tensor tensor)
    {
        var shape = tensor.shape;
        if (tensor.device_type == DeviceType.CPU && tensor.is_contiguous())
            return new TensorData((byte)tensor.dtype, shape, tensor.bytes.ToArray());
        // Temporaries belong to the caller's dispose scope.
        var host = tensor.detach().cpu().contiguous();
        return new TensorData((byte)tensor.dtype, shape, host.bytes.ToArray());
    }

    private static void Check(TensorData data, Tensor live, string what)
    {
        if (data.ScalarType != (byte)live.dtype || !data.Shape.SequenceEqual(live.shape))
            throw new InvalidDataException(
                $"Checkpoint's {what} is {data.Describe()}; here it is {live.dtype} [{string.Join(", ", live.shape)}].");
        var expected = live.numel() * live.ElementSize;
        if (data.Bytes.Length != expected)
            throw new InvalidDataException(
                $"Checkpoint's {what} ({data.Describe()}) holds {data.Bytes.Length} bytes, not {expected}.");
    }

    /// <summary>Copies the data into a live tensor of the same type and shape, on its device, outside autograd.</summary>
    private static void CopyInto(TensorData data, Tensor live)
    {
        var host = torch.empty(data.Shape, (ScalarType)data.ScalarType);
        host.bytes = data.Bytes;
        using (torch.no_grad())
            live.copy_(host);
    }

    private static OptimizerHelper Helper(optim.Optimizer optimizer) =>
        optimizer as OptimizerHelper
        ?? throw new NotSupportedException(
            $"{optimizer.GetType().Name} keeps its state in native code, which a checkpoint cannot read.");

    private static FieldInfo[] Fields(OptimizerState state)
    {
        var fields = state.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance)
            .OrderBy(f => f.Name, StringComparer.Ordinal)
            .ToArray();
        foreach (var field in fields)
        {
            if (field.FieldType != typeof(long) && field.FieldType != typeof(Tensor))
                throw new NotSupportedException(
                    $"{state.GetType().FullName}.{field.Name} is a {field.FieldType.Name}; a checkpoint stores Int64 and Tensor state.");
        }
        return fields;
    }
}
