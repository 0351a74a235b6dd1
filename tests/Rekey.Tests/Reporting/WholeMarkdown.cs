using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Rekey.Tests.Reporting;

/// <summary>
/// Reads Markdown as a GitHub-flavoured renderer does (Markdig with pipe tables) and fails when a table or a
/// block is broken: a row with more or fewer cells than its header, a table line left as paragraph text, a
/// fence that never closes, a &lt;details&gt; that is not closed.
/// </summary>
public static class WholeMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().UsePipeTables().Build();

    /// <summary>Checks <paramref name="markdown"/> and returns its tables, each as rows of cell texts (header first).</summary>
    public static IReadOnlyList<IReadOnlyList<IReadOnlyList<string>>> Check(string markdown)
    {
        ArgumentNullException.ThrowIfNull(markdown);
        var document = Markdown.Parse(markdown, Pipeline);
        var tables = new List<IReadOnlyList<IReadOnlyList<string>>>();
        foreach (var table in document.Descendants<Table>())
        {
            var rows = table.OfType<TableRow>().ToList();
            var width = rows[0].Count;
            foreach (var row in rows)
            {
                Assert.True(row.Count == width, $"A row has {row.Count} cells under a header of {width}:{Environment.NewLine}{Source(markdown, row)}{Environment.NewLine}in{Environment.NewLine}{markdown}");
            }

            // GitHub splits a row at every unescaped pipe, inside code spans too: each line must have as many as the header.
            var lines = Source(markdown, table).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var line in lines)
            {
                Assert.True(
                    Delimiters(line) == Delimiters(lines[0]),
                    $"A table line has {Delimiters(line)} cell delimiters, its header {Delimiters(lines[0])}:{Environment.NewLine}{line}{Environment.NewLine}in{Environment.NewLine}{markdown}");
            }

            tables.Add([.. rows.Select(r => (IReadOnlyList<string>)[.. r.OfType<TableCell>().Select(TextOf)])]);
        }

        foreach (var paragraph in document.Descendants<ParagraphBlock>())
        {
            // A line starting with a pipe outside a table is a table that broke (its rows ran into text).
            var text = Source(markdown, paragraph);
            Assert.False(
                text.Split('\n').Any(l => l.TrimStart().StartsWith('|')),
                $"Table text outside a table:{Environment.NewLine}{text}{Environment.NewLine}in{Environment.NewLine}{markdown}");
        }

        foreach (var fence in document.Descendants<FencedCodeBlock>())
        {
            Assert.True(fence.ClosingFencedCharCount >= fence.OpeningFencedCharCount, $"A fenced block is not closed:{Environment.NewLine}{Source(markdown, fence)}");
        }

        var html = string.Concat(document.Descendants<HtmlBlock>().Select(h => Source(markdown, h)));
        Assert.Equal(Occurrences(html, "<details>"), Occurrences(html, "</details>"));
        return tables;
    }

    /// <summary>The text of every fenced block, in order.</summary>
    /// <summary>The contents of the fenced blocks whose info string is <paramref name="language"/> (<c>mermaid</c>), as GitHub picks them to render.</summary>
    public static IReadOnlyList<string> FencedBlocks(string markdown, string language) =>
        [.. Markdown.Parse(markdown, Pipeline).Descendants<FencedCodeBlock>().Where(f => f.Info == language).Select(f => f.Lines.ToString())];

    public static IReadOnlyList<string> FencedBlocks(string markdown) =>
        [.. Markdown.Parse(markdown, Pipeline).Descendants<FencedCodeBlock>().Select(f => f.Lines.ToString())];

    private static int Delimiters(string line)
    {
        var count = 0;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '\\')
            {
                i++;
            }
            else if (line[i] == '|')
            {
                count++;
            }
        }

        return count;
    }

    private static string TextOf(TableCell cell) =>
        string.Concat(cell.Descendants<Inline>().Select(i => i switch
        {
            LiteralInline literal => literal.Content.ToString(),
            CodeInline code => code.Content,
            _ => string.Empty,
        })).Trim();

    private static string Source(string markdown, Block block) =>
        markdown.Substring(block.Span.Start, Math.Min(block.Span.Length, markdown.Length - block.Span.Start));

    private static int Occurrences(string text, string value) =>
        (text.Length - text.Replace(value, string.Empty, StringComparison.Ordinal).Length) / value.Length;
}
