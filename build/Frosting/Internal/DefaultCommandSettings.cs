using System.ComponentModel;
using Cake.Cli;
using Cake.Core.Diagnostics;
using Spectre.Console.Cli;

namespace Cake.Frosting.Internal;

/// <summary>The engine's own switches; every other <c>--name=value</c> reaches the build as an argument.</summary>
internal sealed class DefaultCommandSettings : CommandSettings
{
    [CommandOption("--target|-t <TARGET>")]
    [Description("Target task to run. Repeat to run several.")]
    public string[] Targets { get; set; } = [];

    [CommandOption("--verbosity|-v <VERBOSITY>")]
    [Description("Amount of information to display: Quiet, Minimal, Normal, Verbose or Diagnostic.")]
    [TypeConverter(typeof(VerbosityConverter))]
    [DefaultValue(Verbosity.Normal)]
    public Verbosity Verbosity { get; set; }

    [CommandOption("--description|--descriptions")]
    [Description("Lists the tasks with their descriptions.")]
    public bool Description { get; set; }

    [CommandOption("--tree")]
    [Description("Shows the task dependency tree.")]
    public bool Tree { get; set; }

    [CommandOption("--dryrun|--noop|--whatif")]
    [Description("Shows the tasks that would run, and runs none.")]
    public bool DryRun { get; set; }

    [CommandOption("--exclusive|-e")]
    [Description("Runs the target alone, without its dependencies.")]
    public bool Exclusive { get; set; }

    [CommandOption("--version")]
    [Description("Shows the version.")]
    public bool Version { get; set; }
}
