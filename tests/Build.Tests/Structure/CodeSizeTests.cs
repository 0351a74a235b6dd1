using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit.Abstractions;

namespace Rekey.Build.Tests.Structure;

/// <summary>
/// Hand-written methods over 60 lines and files over 500 lines, in src/ and build/, read from the syntax trees. The
/// counts may only go down (a ratchet): lower the limits below when code is split, never raise them.
/// </summary>
public sealed class CodeSizeTests(ITestOutputHelper output)
{
    public const int MethodLines = 60;

    public const int FileLines = 500;

    /// <summary>max_line_length in .editorconfig.</summary>
    public const int LineLength = 200;

    /// <summary>Today's counts; a change that adds a long method or file fails until it is split.</summary>
    private const int LongMethodsAllowed = 0;

    private const int LongFilesAllowed = 0;

    private const int LongLinesAllowed = 0;

    /// <summary>
    /// Route tables: one line per AWS operation or control endpoint the sandbox serves, long because the API is; splitting
    /// them would scatter the table a reader looks up.
    /// </summary>
    private static readonly HashSet<string> RouteTables = new(StringComparer.Ordinal) { "MapRoutes" };

    [Fact]
    public void Hand_written_methods_over_60_lines_and_files_over_500_lines_do_not_grow_in_number()
    {
        var (methods, files, longLines) = Measure(RepositoryRoot());

        output.WriteLine($"{methods.Count} hand-written methods over {MethodLines} lines (allowed {LongMethodsAllowed}), {files.Count} files over {FileLines} lines (allowed {LongFilesAllowed}), {longLines.Count} lines over {LineLength} characters (allowed {LongLinesAllowed}):");
        foreach (var line in methods.Concat(files))
        {
            output.WriteLine("  " + line);
        }

        Assert.True(
            methods.Count <= LongMethodsAllowed,
            $"{methods.Count} methods over {MethodLines} lines, more than the {LongMethodsAllowed} allowed; split the new one into named parts:{Environment.NewLine}{string.Join(Environment.NewLine, methods)}");
        Assert.True(
            files.Count <= LongFilesAllowed,
            $"{files.Count} files over {FileLines} lines, more than the {LongFilesAllowed} allowed:{Environment.NewLine}{string.Join(Environment.NewLine, files)}");
        Assert.True(
            longLines.Count <= LongLinesAllowed,
            $"{longLines.Count} lines over {LineLength} characters (max_line_length), more than the {LongLinesAllowed} allowed; break the new ones:{Environment.NewLine}{string.Join(Environment.NewLine, longLines)}");
    }

    [Fact]
    public void The_measure_counts_a_method_from_its_signature_to_its_closing_brace_and_leaves_out_route_tables()
    {
        var body = string.Join(Environment.NewLine, Enumerable.Range(0, MethodLines).Select(i => $"        var x{i} = {i};"));
        var tree = CSharpSyntaxTree.ParseText($$"""
            class Sample
            {
                /// <summary>Doc lines do not count.</summary>
                void Long()
                {
            {{body}}
                }

                void MapRoutes()
                {
            {{body}}
                }

                void Short() { }
            }
            """);

        var long_ = LongMethods(tree, "Sample.cs").ToList();

        Assert.Equal([$"Sample.cs:4 Sample.Long: {MethodLines + 3} lines"], long_);
    }

    private static (List<string> Methods, List<string> Files, List<string> LongLines) Measure(string root)
    {
        var methods = new List<string>();
        var files = new List<string>();
        var longLines = new List<string>();
        foreach (var path in HandWrittenSources(root))
        {
            var relative = Path.GetRelativePath(root, path).Replace(Path.DirectorySeparatorChar, '/');
            var text = File.ReadAllText(path);
            var tree = CSharpSyntaxTree.ParseText(text, path: relative);
            var lines = text.Split('\n').Length - (text.EndsWith('\n') ? 1 : 0);
            if (lines > FileLines)
            {
                files.Add($"{relative}: {lines} lines");
            }

            methods.AddRange(LongMethods(tree, relative));
            longLines.AddRange(text.Split('\n')
                .Select((line, index) => (Line: line.TrimEnd('\r'), Number: index + 1))
                .Where(l => l.Line.Length > LineLength)
                .Select(l => $"{relative}:{l.Number}: {l.Line.Length} characters"));
        }

        return (methods, files, longLines);
    }

    private static IEnumerable<string> LongMethods(SyntaxTree tree, string relative) =>
        tree.GetRoot().DescendantNodes()
            .Where(n => n is BaseMethodDeclarationSyntax or AccessorDeclarationSyntax)
            .Where(n => n is not MethodDeclarationSyntax m || !RouteTables.Contains(m.Identifier.ValueText))
            .Select(n => (Node: n, Span: n.GetLocation().GetLineSpan()))
            .Select(m => (m.Node, Start: m.Span.StartLinePosition.Line + 1, Lines: m.Span.EndLinePosition.Line - m.Span.StartLinePosition.Line + 1))
            .Where(m => m.Lines > MethodLines)
            .Select(m => $"{relative}:{m.Start} {NameOf(m.Node)}: {m.Lines} lines");

    private static string NameOf(SyntaxNode node)
    {
        var type = node.Ancestors().OfType<BaseTypeDeclarationSyntax>().FirstOrDefault()?.Identifier.ValueText ?? "?";
        var member = node switch
        {
            MethodDeclarationSyntax m => m.Identifier.ValueText,
            ConstructorDeclarationSyntax => ".ctor",
            AccessorDeclarationSyntax a => $"{a.Ancestors().OfType<BasePropertyDeclarationSyntax>().FirstOrDefault() switch { PropertyDeclarationSyntax p => p.Identifier.ValueText, _ => "this" }}.{a.Keyword.ValueText}",
            _ => node.Kind().ToString(),
        };
        return $"{type}.{member}";
    }

    /// <summary>C# under src/ and build/, without build output and without generated code (Generated folders, auto-generated headers).</summary>
    private static IEnumerable<string> HandWrittenSources(string root) =>
        new[] { "src", "build" }
            .SelectMany(folder => Directory.EnumerateFiles(Path.Combine(root, folder), "*.cs", SearchOption.AllDirectories))
            .Where(path => !path.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or "Generated"))
            .Where(path => !File.ReadLines(path).Take(5).Any(line => line.Contains("<auto-generated", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal);

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Rekey.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No Rekey.sln above {AppContext.BaseDirectory}.");
    }
}
