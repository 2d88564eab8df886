namespace IocTwin.Simulation.Tntp;

/// <summary>A TNTP file that cannot be read: names the file, the line (1-based) and the field at fault.</summary>
public sealed class TntpFormatException : FormatException
{
    public TntpFormatException(string file, int line, string field, string problem)
        : base($"{file} line {line}, {field}: {problem}")
    {
        File = file;
        Line = line;
        Field = field;
    }

    public TntpFormatException()
    {
        File = Field = "";
    }

    public TntpFormatException(string message) : base(message)
    {
        File = Field = "";
    }

    public TntpFormatException(string message, Exception innerException) : base(message, innerException)
    {
        File = Field = "";
    }

    public string File { get; }

    /// <summary>1-based line number; 0 when the problem is the file as a whole (e.g. a missing header).</summary>
    public int Line { get; }

    public string Field { get; }
}
