using System.Globalization;

namespace IocTwin.Api.Streaming;

/// <summary>
/// Sizes the process's shared pool of byte arrays for screens' frames. SignalR copies each frame into every screen's
/// pipe in 4 KB arrays from <see cref="System.Buffers.ArrayPool{T}.Shared"/>, which keeps 32 of a size per core: a frame
/// written to a hundred screens rented far past that, and each array past it was garbage once sent. The runtime reads
/// the size once, when the pool is first used, so this runs first in the process; an operator's own value is kept.
/// </summary>
public static class SharedArrayPoolSize
{
    public const string Variable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    /// <summary>Arrays of each size kept per core: on 2 cores those of a 9 KB frame (three arrays) to about 680 screens at once.</summary>
    public const int ArraysPerCore = 1024;

    public static void SetForScreens()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Environment.SetEnvironmentVariable(Variable, ArraysPerCore.ToString(CultureInfo.InvariantCulture));
        }
    }
}
