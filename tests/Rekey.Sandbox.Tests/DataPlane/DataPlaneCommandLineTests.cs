using Rekey.Sandbox.DataPlane;

namespace Rekey.Sandbox.Tests.DataPlane;

public sealed class DataPlaneCommandLineTests
{
    [Fact]
    public void The_command_line_runs_real_servers_when_the_programs_are_installed_and_the_model_on_request()
    {
        Assert.NotNull(PostgresBinaries.Find());
        Assert.Equal(DataPlaneMode.Postgres, CommandLine.Parse([]).DataPlane);
        Assert.Equal(DataPlaneMode.Postgres, CommandLine.Parse(["--data-plane=postgres"]).DataPlane);
        Assert.Equal(DataPlaneMode.Model, CommandLine.Parse(["--data-plane", "model"]).DataPlane);
        Assert.Equal(DataPlaneMode.Model, SandboxOptions.ForTests().DataPlane);
    }

    [Fact]
    public void An_unknown_data_plane_is_refused_with_the_choices()
    {
        var error = Assert.Throws<ArgumentException>(() => CommandLine.Parse(["--data-plane=mysql"]));

        Assert.Contains("auto, postgres or model", error.Message, StringComparison.Ordinal);
    }
}
