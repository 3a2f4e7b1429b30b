using System.Globalization;
using TorchSharp;

namespace Piximi.Sweep.Training;

/// <summary>Turns a worker's device string into a torch device, refusing devices this process cannot use.</summary>
internal static class TorchDevices
{
    /// <summary>"cpu", "cuda" (device 0) or "cuda:N".</summary>
    /// <exception cref="ArgumentException">Malformed, or a CUDA device TorchSharp does not see.</exception>
    internal static torch.Device Resolve(string device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var text = device.Trim().ToLowerInvariant();
        if (text == "cpu")
            return torch.CPU;

        int index;
        if (text == "cuda")
            index = 0;
        else if (!text.StartsWith("cuda:", StringComparison.Ordinal)
                 || !int.TryParse(text.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out index))
            throw new ArgumentException($"Unknown device '{device}': use \"cpu\", \"cuda\" or \"cuda:N\".", nameof(device));

        var available = TorchRuntime.CudaDeviceCount();
        if (index >= available)
            throw new ArgumentException(
                $"Device '{device}' is not available: TorchSharp sees {available} CUDA device(s). " +
                (available == 0
                    ? "This build uses the CPU backend unless built with -p:TorchBackend=cuda (TorchSharp-cuda-linux) on a machine with an NVIDIA GPU and driver."
                    : $"Use cuda:0 to cuda:{available - 1}."),
                nameof(device));
        return torch.device(DeviceType.CUDA, index);
    }
}
