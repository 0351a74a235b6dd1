using System.Globalization;
using System.Net;
using System.Text;

namespace Rekey.Reporting;

/// <summary>
/// The one place Rekey's reports and job summaries are turned into Markdown. Whatever a cell holds (an AWS
/// error, SQL with <c>||</c>, a name with a backtick), the table stays whole: cells are escaped and kept on one
/// line, and a cell's multi-line detail goes into a fenced block below its table. Each warning is written once;
/// tables longer than <see cref="FoldAfterRows"/> rows are folded into <c>&lt;details&gt;</c>.
/// </summary>
public sealed class MarkdownWriter
{
    /// <summary>Tables with more rows than this are folded, so a summary leads with what needs reading.</summary>
    public const int FoldAfterRows = 15;

    private readonly StringBuilder _md = new();
    private readonly HashSet<string> _warningsWritten;

    /// <summary>A new document.</summary>
    /// <param name="warningsShownAbove">Warnings already on the page (an earlier part of the job summary): they are not repeated.</param>
    public MarkdownWriter(IEnumerable<string>? warningsShownAbove = null) =>
        _warningsWritten = new HashSet<string>(warningsShownAbove ?? [], StringComparer.Ordinal);

    /// <summary>The warnings this document shows, and those it was told were shown above it.</summary>
    public IReadOnlyCollection<string> WarningsShown => _warningsWritten;

    /// <summary>Plain text as Markdown that renders as exactly that text, on one line.</summary>
    public static string Text(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (var c in OneLine(text))
        {
            if (c is '\\' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '|' or '#' or '~' or '!' or '&')
            {
                escaped.Append('\\');
            }

            escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>
    /// A name or value shown as code. Text a code span cannot hold safely in every renderer (a backtick, a pipe,
    /// a line break) is shown as escaped plain text instead, so the table around it survives.
    /// </summary>
    public static string Code(string? text) =>
        string.IsNullOrEmpty(text) ? "—"
        : text.AsSpan().IndexOfAny("`|\r\n") >= 0 ? Text(text)
        : $"`{text}`";

    /// <summary>The first line of <paramref name="text"/>, trimmed.</summary>
    public static string FirstLine(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var end = trimmed.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? trimmed : trimmed[..end].TrimEnd();
    }

    /// <summary>Whether <paramref name="text"/> has more than one line once trimmed.</summary>
    public static bool IsMultiLine(string? text) => text is not null && text.Trim().AsSpan().IndexOfAny('\r', '\n') >= 0;

    public MarkdownWriter Heading(int level, string markdown)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(level, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 6);
        Block();
        _md.Append('#', level).Append(' ').AppendLine(OneLine(markdown));
        return this;
    }

    /// <summary>A paragraph of Markdown Rekey wrote (callers escape what came from outside with <see cref="Text"/>).</summary>
    public MarkdownWriter Paragraph(string markdown)
    {
        Block();
        _md.AppendLine(OneLine(markdown));
        return this;
    }

    /// <summary>A bulleted list of plain text; an item's further lines go into a fenced block below the list.</summary>
    public MarkdownWriter Bullets(IEnumerable<string> items, string marker = "")
    {
        ArgumentNullException.ThrowIfNull(items);
        var list = items.ToList();
        return BulletsOf(list.Select(item => IsMultiLine(item) ? Text(FirstLine(item)) + " (in full below)" : Text(item)), marker)
            .Below(list.Where(IsMultiLine).Select(item => (Text(FirstLine(item)), item.Trim())));
    }

    /// <summary>A numbered list of plain text, each item on one line.</summary>
    public MarkdownWriter Numbered(IEnumerable<string> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var number = 0;
        foreach (var item in items)
        {
            if (number == 0)
            {
                Block();
            }

            _md.Append(CultureInfo.InvariantCulture, $"{++number}. ").AppendLine(Text(item));
        }

        return this;
    }

    /// <summary>A bulleted list of Markdown Rekey wrote, each item on one line.</summary>
    public MarkdownWriter MarkdownBullets(IEnumerable<string> items) => BulletsOf(items, string.Empty);

    /// <summary>Warnings (plain text) as a list, each once in the whole document; returns how many were new.</summary>
    public int Warnings(string? title, IEnumerable<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(warnings);
        var fresh = warnings.Where(w => _warningsWritten.Add(w)).ToList();
        if (fresh.Count == 0)
        {
            return 0;
        }

        if (title is not null)
        {
            Paragraph(title);
        }

        Bullets(fresh, "⚠️ ");
        return fresh.Count;
    }

    /// <summary>
    /// A table. Each row has one cell per header. A cell's extra lines (<see cref="Cell.Detail"/>) are written
    /// in fenced blocks under the table, captioned with the row's first cell and the column.
    /// </summary>
    public MarkdownWriter Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<Cell>> rows, string? foldedSummary = null, IReadOnlyList<bool>? rightAligned = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        var all = rows.ToList();
        var fold = all.Count > FoldAfterRows;
        if (fold)
        {
            Block();
            _md.Append("<details><summary>")
                .Append(WebUtility.HtmlEncode(foldedSummary ?? "Table"))
                .Append(CultureInfo.InvariantCulture, $" ({all.Count} rows)")
                .AppendLine("</summary>");
        }

        Block();
        _md.Append('|');
        foreach (var header in headers)
        {
            _md.Append(' ').Append(CellText(header)).Append(" |");
        }

        _md.AppendLine();
        _md.Append('|');
        for (var i = 0; i < headers.Count; i++)
        {
            _md.Append(rightAligned is not null && i < rightAligned.Count && rightAligned[i] ? " ---: |" : " --- |");
        }

        _md.AppendLine();
        var below = new List<(string Caption, string Detail)>();
        foreach (var row in all)
        {
            if (row.Count != headers.Count)
            {
                throw new ArgumentException($"A row has {row.Count} cells for {headers.Count} columns.", nameof(rows));
            }

            _md.Append('|');
            for (var i = 0; i < row.Count; i++)
            {
                _md.Append(' ').Append(CellText(row[i].Markdown)).Append(" |");
                if (row[i].Detail is { } detail)
                {
                    below.Add(($"{row[0].Markdown}, {Text(headers[i])}", detail));
                }
            }

            _md.AppendLine();
        }

        Below(below);
        if (fold)
        {
            Block();
            _md.AppendLine("</details>");
        }

        return this;
    }

    /// <summary>Text shown exactly as it is (SQL, an error), under an optional one-line caption, in a fence no line of it can close.</summary>
    public MarkdownWriter Fenced(string? captionMarkdown, string content, string language = "text")
    {
        ArgumentNullException.ThrowIfNull(content);
        if (captionMarkdown is not null)
        {
            Paragraph(captionMarkdown + ":");
        }

        var fence = new string('`', Math.Max(3, LongestRun(content, '`') + 1));
        Block();
        _md.Append(fence).AppendLine(language);
        foreach (var line in content.Trim('\r', '\n').ReplaceLineEndings("\n").Split('\n'))
        {
            _md.AppendLine(line);
        }

        _md.AppendLine(fence);
        return this;
    }

    /// <summary>A folded section; its body is written by <paramref name="body"/> with the same writer.</summary>
    public MarkdownWriter Details(string summary, Action<MarkdownWriter> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        Block();
        _md.Append("<details><summary>").Append(WebUtility.HtmlEncode(OneLine(summary))).AppendLine("</summary>");
        body(this);
        Block();
        _md.AppendLine("</details>");
        return this;
    }

    private MarkdownWriter BulletsOf(IEnumerable<string> markdownItems, string marker)
    {
        var first = true;
        foreach (var item in markdownItems)
        {
            if (first)
            {
                Block();
                first = false;
            }

            _md.Append("- ").Append(marker).AppendLine(OneLine(item));
        }

        return this;
    }

    private MarkdownWriter Below(IEnumerable<(string Caption, string Detail)> details)
    {
        foreach (var (caption, detail) in details)
        {
            Fenced(caption, detail);
        }

        return this;
    }

    /// <summary>Markdown already written by another writer, as its own blocks.</summary>
    public MarkdownWriter Append(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        Block();
        _md.Append(markdown.TrimEnd('\r', '\n')).AppendLine();
        return this;
    }

    public override string ToString() => _md.ToString();

    // Blocks are separated by a blank line: an HTML block (<details>) ends only at one, and a table needs one before it.
    private void Block()
    {
        if (_md.Length > 0 && !_md.ToString(Math.Max(0, _md.Length - 2), Math.Min(2, _md.Length)).EndsWith("\n\n", StringComparison.Ordinal))
        {
            _md.AppendLine();
        }
    }

    // A pipe ends a cell unless escaped, also inside a code span in GitHub's renderer; an escaped one stays escaped.
    private static string CellText(string markdown)
    {
        var one = OneLine(markdown);
        var cell = new StringBuilder(one.Length + 4);
        for (var i = 0; i < one.Length; i++)
        {
            if (one[i] == '\\' && i + 1 < one.Length)
            {
                cell.Append(one[i]).Append(one[++i]);
                continue;
            }

            if (one[i] == '|')
            {
                cell.Append('\\');
            }

            cell.Append(one[i]);
        }

        return cell.Length == 0 ? " " : cell.ToString();
    }

    private static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static int LongestRun(string text, char c)
    {
        int longest = 0, run = 0;
        foreach (var ch in text)
        {
            run = ch == c ? run + 1 : 0;
            longest = Math.Max(longest, run);
        }

        return longest;
    }
}

/// <summary>One table cell: its one-line Markdown, and any longer text shown in full below the table.</summary>
public readonly record struct Cell(string Markdown, string? Detail = null)
{
    /// <summary>Plain text; text of several lines shows its first line here and all of it below the table.</summary>
    public static Cell Text(string? text) =>
        MarkdownWriter.IsMultiLine(text)
            ? new Cell(MarkdownWriter.Text(MarkdownWriter.FirstLine(text!)) + " (in full below)", text!.Trim())
            : new Cell(string.IsNullOrEmpty(text) ? "—" : MarkdownWriter.Text(text));

    /// <summary>A name or value shown as code (see <see cref="MarkdownWriter.Code"/>).</summary>
    public static Cell Code(string? text) =>
        MarkdownWriter.IsMultiLine(text)
            ? new Cell(MarkdownWriter.Text(MarkdownWriter.FirstLine(text!)) + " (in full below)", text!.Trim())
            : new Cell(MarkdownWriter.Code(text));

    /// <summary>Markdown Rekey wrote (links, emphasis, code it chose); kept on one line.</summary>
    public static Cell Authored(string markdown) => new(markdown);
}
