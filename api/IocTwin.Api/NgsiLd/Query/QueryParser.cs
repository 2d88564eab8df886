using System.Text;
using System.Text.RegularExpressions;

namespace IocTwin.Api.NgsiLd.Query;

/// <summary>
/// Parses the NGSI-LD query language (ETSI GS CIM 009, 4.9): terms joined by ';' (and) and '|' (or), ';' binding
/// tighter, with parentheses; a term is an attribute path alone (exists), '!' path (does not exist), or a comparison
/// ==, !=, &gt;, &gt;=, &lt;, &lt;=, ~= and !~= with a value, a list "a","b" or a range a..b. Attribute names are expanded
/// with <paramref name="expand"/> (the request's @context); members of compound values in [brackets] are not.
/// </summary>
public sealed class QueryParser
{
    private static readonly string[] Operators = ["==", "!=", ">=", "<=", "!~=", "~=", ">", "<"];
    private const int MaxLength = 4096;
    private const int MaxDepth = 32;

    private readonly string _text;
    private readonly Func<string, string> _expand;
    private readonly TimeSpan _patternTimeout;
    private int _position;
    private int _depth;

    private QueryParser(string text, Func<string, string> expand, TimeSpan patternTimeout)
    {
        _text = text;
        _expand = expand;
        _patternTimeout = patternTimeout;
    }

    public static QueryExpression Parse(string q, Func<string, string> expand, TimeSpan patternTimeout)
    {
        if (string.IsNullOrWhiteSpace(q))
        {
            throw new NgsiLdRequestException("q is empty.");
        }
        if (q.Length > MaxLength)
        {
            throw new NgsiLdRequestException($"q is longer than {MaxLength} characters.");
        }
        var parser = new QueryParser(q.Trim(), expand, patternTimeout);
        var expression = parser.ParseOr();
        if (parser._position < parser._text.Length)
        {
            throw parser.Error($"unexpected '{parser._text[parser._position]}'");
        }
        return expression;
    }

    private QueryExpression ParseOr()
    {
        var terms = new List<QueryExpression> { ParseAnd() };
        while (Peek() == '|')
        {
            _position++;
            terms.Add(ParseAnd());
        }
        return terms.Count == 1 ? terms[0] : new AnyOf(terms);
    }

    private QueryExpression ParseAnd()
    {
        var terms = new List<QueryExpression> { ParsePrimary() };
        while (Peek() == ';')
        {
            _position++;
            terms.Add(ParsePrimary());
        }
        return terms.Count == 1 ? terms[0] : new AllOf(terms);
    }

    private QueryExpression ParsePrimary()
    {
        if (Peek() != '(')
        {
            return ParseTerm();
        }
        if (++_depth > MaxDepth)
        {
            throw Error("parentheses nest too deeply");
        }
        _position++;
        var inner = ParseOr();
        if (Peek() != ')')
        {
            throw Error("a '(' is not closed");
        }
        _position++;
        _depth--;
        return inner;
    }

    private QueryExpression ParseTerm()
    {
        var negated = Peek() == '!';
        if (negated)
        {
            _position++;
        }
        var path = ParsePath();
        if (AtTermEnd())
        {
            return new Exists(path, negated);
        }
        if (negated)
        {
            throw Error("'!' stands only before an attribute alone (it does not exist)");
        }
        var op = Operators.FirstOrDefault(o => _text.AsSpan(_position).StartsWith(o))
            ?? throw Error($"expected an operator (==, !=, >, >=, <, <=, ~=, !~=) after '{Describe(path)}'");
        _position += op.Length;
        var raw = ReadValue();
        var queryOperator = op switch
        {
            "==" => QueryOperator.Equal,
            "!=" => QueryOperator.Unequal,
            ">=" => QueryOperator.GreaterOrEqual,
            "<=" => QueryOperator.LessOrEqual,
            ">" => QueryOperator.Greater,
            "<" => QueryOperator.Less,
            "~=" => QueryOperator.Pattern,
            _ => QueryOperator.NotPattern,
        };
        return new Comparison(path, queryOperator, ParseOperand(queryOperator, raw));
    }

    private QueryOperand ParseOperand(QueryOperator op, string raw)
    {
        if (op is QueryOperator.Pattern or QueryOperator.NotPattern)
        {
            var pattern = raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"' ? raw[1..^1] : raw;
            try
            {
                return new PatternOperand(new Regex(pattern, RegexOptions.CultureInvariant, _patternTimeout));
            }
            catch (ArgumentException ex)
            {
                throw Error($"'{pattern}' is not a regular expression: {ex.Message}");
            }
        }
        var items = SplitOutsideQuotes(raw, ",");
        if (items.Count == 1 && SplitOutsideQuotes(raw, "..") is [var from, var to])
        {
            if (op is not (QueryOperator.Equal or QueryOperator.Unequal))
            {
                throw Error("a range a..b goes only with == or !=");
            }
            return new ValueRange(QueryLiteral.Parse(from), QueryLiteral.Parse(to));
        }
        if (items.Count > 1 && op is not (QueryOperator.Equal or QueryOperator.Unequal))
        {
            throw Error("a list of values goes only with == or !=");
        }
        return new ValueList([.. items.Select(QueryLiteral.Parse)]);
    }

    private AttributePath ParsePath()
    {
        var start = _position;
        var brackets = 0;
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '[') brackets++;
            else if (c == ']') brackets--;
            else if (brackets == 0 && c is '=' or '!' or '<' or '>' or '~' or ';' or '|' or '(' or ')') break;
            _position++;
        }
        var written = _text[start.._position].Trim();
        if (written.Length == 0 || brackets != 0)
        {
            throw Error(written.Length == 0 ? "expected an attribute name" : $"unbalanced brackets in '{written}'");
        }
        var bracket = written.IndexOf('[');
        var head = bracket < 0 ? written : written[..bracket];
        var members = new List<string>();
        if (bracket >= 0)
        {
            foreach (var part in written[bracket..].Split(']', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!part.StartsWith('[') || part.Length == 1)
                {
                    throw Error($"'{written}' is not an attribute path: members go in [brackets]");
                }
                members.AddRange(part[1..].Split('.'));
            }
        }
        // A full IRI holds dots of its own: it names the attribute whole.
        var names = head.Contains("://") ? [head] : head.Split('.');
        if (names.Any(n => n.Length == 0 || n.Any(char.IsWhiteSpace)) || members.Any(m => m.Length == 0))
        {
            throw Error($"'{written}' is not an attribute path");
        }
        return new AttributePath(_expand(names[0]), [.. names.Skip(1).Select(_expand)], members);
    }

    /// <summary>The value after an operator: up to a ';', '|' or unmatched ')' outside quotes.</summary>
    private string ReadValue()
    {
        var value = new StringBuilder();
        var quoted = false;
        var parentheses = 0;
        while (_position < _text.Length)
        {
            var c = _text[_position];
            if (c == '"' && (value.Length == 0 || value[^1] != '\\')) quoted = !quoted;
            else if (!quoted && c == '(') parentheses++;
            else if (!quoted && c == ')' && parentheses-- == 0) break;
            else if (!quoted && c is ';' or '|') break;
            value.Append(c);
            _position++;
        }
        if (quoted)
        {
            throw Error("a quoted value is not closed");
        }
        return value.ToString().Trim();
    }

    private static List<string> SplitOutsideQuotes(string text, string separator)
    {
        var parts = new List<string>();
        var quoted = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"' && (i == 0 || text[i - 1] != '\\')) quoted = !quoted;
            else if (!quoted && string.CompareOrdinal(text, i, separator, 0, separator.Length) == 0)
            {
                parts.Add(text[start..i]);
                start = i + separator.Length;
                i += separator.Length - 1;
            }
        }
        parts.Add(text[start..]);
        return parts;
    }

    private bool AtTermEnd() => _position >= _text.Length || _text[_position] is ';' or '|' or ')';

    private char? Peek() => _position < _text.Length ? _text[_position] : null;

    private static string Describe(AttributePath path) => path.Attribute;

    private NgsiLdRequestException Error(string message) => new($"q: {message} (at character {_position + 1}).");
}
