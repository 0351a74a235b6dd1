using Rekey.Reporting;

namespace Rekey.Tests.Reporting;

public sealed class GitHubWorkflowCommandsTests
{
    [Fact]
    public void A_multi_line_error_stays_one_command_with_its_title_escaped()
    {
        var command = GitHubWorkflowCommands.Error("line one\nline two: 100%", "Fence failed: orders, prod");

        Assert.Equal("::error title=Fence failed%3A orders%2C prod::line one%0Aline two: 100%25", command);
    }

    [Fact]
    public void Groups_open_and_close()
    {
        Assert.Equal("::group::Restore", GitHubWorkflowCommands.Group("Restore"));
        Assert.Equal("::endgroup::", GitHubWorkflowCommands.EndGroup());
    }

    [Fact]
    public void Warnings_and_notices_without_title()
    {
        Assert.Equal("::warning::a%0D%0Ab", GitHubWorkflowCommands.Warning("a\r\nb"));
        Assert.Equal("::notice::done", GitHubWorkflowCommands.Notice("done"));
    }
}
