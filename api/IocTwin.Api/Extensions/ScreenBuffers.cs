using System.Globalization;

namespace IocTwin.Api.Extensions;

/// <summary>
/// Room in the process's shared pool of byte arrays for the frames screens are sent. SignalR copies each frame into the
/// connection's pipe, in 4 KB arrays rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>, which keeps 32 arrays
/// of a size per core: a frame of about 10 KB written to a few hundred screens at once rents far past that, and every
/// array rented past it is garbage once sent (at 1,000 screens that was half of all the process allocated). The runtime
/// reads the pool's size from the environment once, when the pool is first used, so this runs first in the process;
/// an operator's own setting of the variable is kept.
/// </summary>
public static class ScreenBuffers
{
    public const string Variable = "DOTNET_SYSTEM_BUFFERS_SHAREDARRAYPOOL_MAXARRAYSPERPARTITION";

    /// <summary>Arrays of each size the pool keeps per core: a frame's 4 KB arrays for 1,000 screens or more, about 8 MB on 2 cores.</summary>
    public const int ArraysPerCore = 1024;

    public static void Reserve()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Environment.SetEnvironmentVariable(Variable, ArraysPerCore.ToString(CultureInfo.InvariantCulture));
        }
    }
}
