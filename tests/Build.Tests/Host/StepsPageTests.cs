using Rekey.Build.Infrastructure;

namespace Rekey.Build.Tests.Host;

/// <summary>docs/steps.md is what the task classes and the step rules say.</summary>
public sealed class StepsPageTests
{
    [Fact]
    public void StepsPage_docs_steps_md_is_generated_from_the_tasks_and_their_declared_changes()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "steps.md");
        var generated = StepsPage.Render();
        if (Environment.GetEnvironmentVariable("REKEY_WRITE_DOCS") == "1")
        {
            File.WriteAllText(path, generated);
        }

        Assert.True(File.Exists(path), "docs/steps.md is missing: run REKEY_WRITE_DOCS=1 dotnet test tests/Build.Tests --filter StepsPage");
        Assert.True(
            File.ReadAllText(path).ReplaceLineEndings("\n") == generated.ReplaceLineEndings("\n"),
            "docs/steps.md is out of date: run REKEY_WRITE_DOCS=1 dotnet test tests/Build.Tests --filter StepsPage and commit it.");
        Assert.Contains("## Fence", generated, StringComparison.Ordinal);
        Assert.Contains("`RDS SwitchoverBlueGreenDeployment`", generated, StringComparison.Ordinal);
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
