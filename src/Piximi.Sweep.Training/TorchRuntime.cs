using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Piximi.Sweep.Training;

/// <summary>Starting TorchSharp in this process.</summary>
public static partial class TorchRuntime
{
    /// <summary>Built from native/glibcxx-compat/ and copied next to this assembly only where the system needs it.</summary>
    internal const string ShimFileName = "libpiximi_glibcxx_compat.so";

    private const int RtldNow = 0x002;
    private const int RtldGlobal = 0x100;

    // glibc mallopt parameters (malloc.h) and the values we give them; see TuneAllocator.
    private const int MallocTrimThreshold = -1;
    private const int MallocMmapThreshold = -3;
    private const int MmapThresholdBytes = 32 << 20; // glibc's upper limit on 64-bit
    private const int TrimThresholdBytes = 256 << 20;

    private static readonly Lock _gate = new();
    private static bool _nativeReady;

    /// <summary>Whether glibc's allocator was tuned for libtorch (false on a C library without mallopt).</summary>
    internal static bool AllocatorTuned { get; private set; }

    /// <summary>
    /// Loads the glibc++ compatibility shim when the build produced one (see native/), then sets the number of
    /// intra-op threads. Call once before any other member of this assembly. Idempotent; a later call with another
    /// thread count changes it. The first call in a process also fixes glibc's malloc thresholds so that libtorch's
    /// freed activations are reused rather than returned to the system and page-faulted back.
    /// <para>One thread per worker process uses a CPU best: SimpleCNN's small convolutions parallelise poorly, and
    /// threads that share cores with other work stall each other (see the throughput benchmark).</para>
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">TorchSharp's native library cannot be loaded; the message says why.</exception>
    public static void Initialize(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        lock (_gate)
        {
            EnsureNativeReady();
            SetThreads(threads);
        }
    }

    /// <summary>Number of CUDA devices TorchSharp sees (0 on the CPU build).</summary>
    public static int CudaDeviceCount()
    {
        EnsureNativeReady();
        return CountCudaDevices();
    }

    /// <summary>
    /// Makes sure the shim is loaded before anything touches TorchSharp; every entry point that uses tensors calls it,
    /// so forgetting <see cref="Initialize"/> costs the thread setting, not a load failure.
    /// </summary>
    internal static void EnsureNativeReady()
    {
        lock (_gate)
        {
            if (_nativeReady)
                return;
            LoadShimIfPresent();
            AllocatorTuned = TuneAllocator();
            ProbeTorch();
            _nativeReady = true;
        }
    }

    /// <summary>
    /// libtorch's CPU tensors come from malloc. With glibc's defaults a batch's activations (0.6 MB per conv output
    /// at batch 32, 9 MB at the evaluation batch) are mmapped and unmapped again, or trimmed off the heap top, so every
    /// batch page-faults fresh zeroed pages: the first epoch of every trial ran at 2/3 the speed of the next. Fixing
    /// the thresholds keeps freed blocks for reuse (a process holds on to at most ~256 MB it no longer uses).
    /// </summary>
    private static bool TuneAllocator()
    {
        try
        {
            return MallOpt(MallocMmapThreshold, MmapThresholdBytes) == 1
                   & MallOpt(MallocTrimThreshold, TrimThresholdBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // not glibc: its allocator is someone else's concern
        }
    }

    private static void LoadShimIfPresent()
    {
        // Next to this assembly (build output, publish folder); AppContext.BaseDirectory covers single-file hosts,
        // where Assembly.Location is empty.
        var candidates = new[] { Path.GetDirectoryName(typeof(TorchRuntime).Assembly.Location), AppContext.BaseDirectory };
        var shim = candidates
            .Where(dir => !string.IsNullOrEmpty(dir))
            .Select(dir => Path.Combine(dir!, ShimFileName))
            .FirstOrDefault(File.Exists);
        if (shim is null)
            return; // the system libstdc++ is new enough, or this is not Linux: nothing to supply

        // RTLD_GLOBAL: the symbol must be visible to libLibTorchSharp.so, which .NET later loads with local scope.
        // NativeLibrary.Load cannot do this (it uses RTLD_LAZY without RTLD_GLOBAL).
        if (DlOpen(shim, RtldNow | RtldGlobal) == 0)
            throw new InvalidOperationException($"Cannot load the glibc++ compatibility shim {shim}: {DlError()}");
    }

    // The methods below touch TorchSharp; they are kept out of line so that the JIT cannot start TorchSharp's native
    // loading before the shim is in place.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ProbeTorch()
    {
        try
        {
            _ = torch.get_num_threads();
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException)
        {
            var detail = Flatten(e);
            var hint = detail.Contains("GLIBCXX", StringComparison.Ordinal)
                ? " The system libstdc++ is older than the one TorchSharp was built with; the build fixes this only " +
                  $"when it can put {ShimFileName} next to the program (see native/glibcxx-compat/README.md): build " +
                  "with the repository's Directory.Build.targets, with gcc and g++ installed."
                : "";
            throw new InvalidOperationException($"TorchSharp's native library could not be loaded: {detail}.{hint}", e);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SetThreads(int threads)
    {
        if (torch.get_num_threads() != threads)
            torch.set_num_threads(threads);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int CountCudaDevices() => torch.cuda.is_available() ? torch.cuda.device_count() : 0;

    /// <summary>
    /// TEST SEAMS for crash drills (<c>PIXIMI_SWEEP_FAULT=torch-error-at-epoch</c>, <c>torch-abort-at-epoch</c>), never
    /// called otherwise: a real libtorch error. <paramref name="uncaught"/> false: a convolution of the wrong channel
    /// count, which TorchSharp catches in its native layer and throws as an <c>ExternalException</c> (libtorch's message,
    /// then where it was raised and a native stack trace); true: a matrix product of shapes that do not fit, which
    /// TorchSharp 0.107 does not catch (<c>THSTensor_matmul</c>), so the C++ exception aborts the process and libstdc++
    /// prints it with native frames on stderr. Both are what a model on unfit data meets.
    /// </summary>
    public static void RaiseTorchError(bool uncaught)
    {
        EnsureNativeReady();
        if (uncaught) MultiplyUnfitMatrices();
        else ConvolveTheWrongChannels();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ConvolveTheWrongChannels()
    {
        using var scope = torch.NewDisposeScope();
        _ = torch.nn.functional.conv2d(torch.zeros(1, 1, 8, 8), torch.zeros(4, 3, 3, 3));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void MultiplyUnfitMatrices()
    {
        using var scope = torch.NewDisposeScope();
        _ = torch.zeros(2, 3).matmul(torch.zeros(2, 3));
    }

    private static string Flatten(Exception e)
    {
        var messages = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
            messages.Add(x.Message.TrimEnd('.'));
        return string.Join(": ", messages.Distinct());
    }

    private static nint DlOpen(string path, int flags)
    {
        try
        {
            return DlOpenLibc(path, flags); // glibc >= 2.34 has dlopen in libc itself
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return DlOpenLibdl(path, flags);
        }
    }

    private static string DlError()
    {
        nint message;
        try
        {
            message = DlErrorLibc();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            message = DlErrorLibdl();
        }
        return Marshal.PtrToStringUTF8(message) ?? "unknown dlopen error";
    }

    [LibraryImport("libc.so.6", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpenLibc(string path, int flags);

    [LibraryImport("libdl.so.2", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpenLibdl(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "mallopt")]
    private static partial int MallOpt(int parameter, int value);

    [LibraryImport("libc.so.6", EntryPoint = "dlerror")]
    private static partial nint DlErrorLibc();

    [LibraryImport("libdl.so.2", EntryPoint = "dlerror")]
    private static partial nint DlErrorLibdl();
}
