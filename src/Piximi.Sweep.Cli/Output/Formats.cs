using System.Globalization;
using Piximi.Sweep.Core;

namespace Piximi.Sweep.Cli.Output;

/// <summary>What only the CLI prints; hyperparameters and metrics read as <see cref="Display"/> shows them.</summary>
internal static class Formats
{
    public static string Seconds(double seconds) => seconds.ToString("F1", CultureInfo.InvariantCulture) + "s";
}
