namespace IocTwin.Topology;

/// <summary>SplitMix64: small, fast and the same on every platform and runtime version.</summary>
public struct SplitMix64(int seed)
{
    private ulong _state = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL + 0xD1B54A32D192ED03UL);

    public ulong Next()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, n) for n &gt; 0.</summary>
    public int NextInt(int n) => (int)(((Next() >> 32) * (ulong)n) >> 32);
}
