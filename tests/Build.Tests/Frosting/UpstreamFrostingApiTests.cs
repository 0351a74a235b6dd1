using Basic.Reference.Assemblies;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Rekey.Build.Tests.Frosting;

/// <summary>
/// The build's task classes, their context and lifetimes compiled against Cake.Frosting's upstream public API
/// (Frosting/Upstream/CakeFrostingApi.cs) instead of the shim in build/Frosting, with the real Cake 7.0.0 engine:
/// they would compile unchanged once Cake.Frosting is served.
/// </summary>
public sealed class UpstreamFrostingApiTests
{
    // What the build takes from the shim beyond Cake.Frosting's API: services a build on Cake.Frosting registers
    // itself (the run's cancellation and exit codes, how it was asked to run, the live preview --dryrun shows, which
    // upstream's dry run would not call). They use nothing of the shim.
    private static readonly string[] ShimAdditions = ["build/Frosting/HostCancellation.cs", "build/Frosting/IDryRunPreview.cs", "build/Frosting/RunMode.cs"];

    // The host's set-up uses the shim's own host switches (exit codes, the arguments' help).
    private static readonly string[] HostSetUp = ["build/Program.cs", "build/RekeyBuild.cs"];

    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    [Fact]
    public void The_task_classes_context_and_lifetimes_compile_against_the_upstream_Cake_Frosting_API()
    {
        var root = RepositoryRoot();
        var sources = Directory.EnumerateFiles(Path.Combine(root, "build"), "*.cs", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Where(path => !path.StartsWith("build/bin/", StringComparison.Ordinal) && !path.StartsWith("build/obj/", StringComparison.Ordinal))
            .Where(path => !path.StartsWith("build/Frosting/", StringComparison.Ordinal) || ShimAdditions.Contains(path))
            .Where(path => !HostSetUp.Contains(path))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.Contains("build/Tasks/CutoverTask.cs", sources);
        Assert.Contains("build/Infrastructure/StepTask.cs", sources);

        var diagnostics = Compile("Build", [GlobalUsings, .. sources.Select(path => File.ReadAllText(Path.Combine(root, path)))], ["GlobalUsings.cs", .. sources]);

        Assert.True(diagnostics.Count == 0, string.Join(Environment.NewLine, diagnostics));
    }

    [Fact]
    public void A_task_that_overrides_what_only_the_shim_declares_does_not_compile_against_the_upstream_API()
    {
        // Cake.Frosting's base classes have no SkippedMessage to override: a task gives one through IFrostingTask.
        const string task = """
            using Cake.Frosting;

            [TaskName(nameof(Optional))]
            public sealed class Optional : FrostingTask<FrostingContext>
            {
                public override string SkippedMessage => "nothing to do";
            }
            """;

        var diagnostics = Compile("Sample", [task]);

        Assert.Contains(diagnostics, d => d.Id == "CS0115" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("SkippedMessage", StringComparison.Ordinal));
    }

    [Fact]
    public void A_task_in_upstream_style_with_its_skip_reason_through_IFrostingTask_compiles()
    {
        const string task = """
            using Cake.Core;
            using Cake.Frosting;

            [TaskName(nameof(Optional))]
            [TaskDescription("Skipped unless asked for.")]
            public sealed class Optional : AsyncFrostingTask<FrostingContext>, IFrostingTask
            {
                public string SkippedMessage => "nothing to do";

                public override bool ShouldRun(FrostingContext context) => false;

                public override System.Threading.Tasks.Task RunAsync(FrostingContext context) => System.Threading.Tasks.Task.CompletedTask;

                public override void OnError(System.Exception exception, FrostingContext context) => throw exception;
            }
            """;

        var diagnostics = Compile("Sample", [task]);

        Assert.True(diagnostics.Count == 0, string.Join(Environment.NewLine, diagnostics));
    }

    /// <summary>The errors of compiling <paramref name="sources"/> against the upstream API, the engine and the build's dependencies.</summary>
    private static List<Diagnostic> Compile(string assemblyName, IReadOnlyList<string> sources, IReadOnlyList<string>? paths = null)
    {
        var references = References();
        var frosting = CSharpCompilation.Create(
            "Cake.Frosting",
            [CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(RepositoryRoot(), "tests/Build.Tests/Frosting/Upstream/CakeFrostingApi.cs")))],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var image = new MemoryStream();
        var emitted = frosting.Emit(image);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            assemblyName,
            sources.Select((source, index) => CSharpSyntaxTree.ParseText(source, parse, path: paths?[index] ?? $"source{index}.cs")),
            [.. references, MetadataReference.CreateFromImage(image.ToArray())],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        return [.. compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)];
    }

    /// <summary>.NET 10's reference assemblies and every library beside this test except the build and its shim.</summary>
    private static List<MetadataReference> References()
    {
        var framework = Net100.References.All.ToList();
        var frameworkNames = Net100.ReferenceInfos.All.Select(r => Path.GetFileNameWithoutExtension(r.FileName)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var libraries = Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll")
            .Where(path => Path.GetFileNameWithoutExtension(path) is var name
                           && name is not ("Build" or "Build.Tests")
                           && !frameworkNames.Contains(name)
                           && !name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path));
        return [.. framework, .. libraries];
    }

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
