using Spectre.Console;
using Spectre.Console.Cli;
using Spectre.Console.Cli.Help;
using Spectre.Console.Rendering;

namespace Cake.Frosting.Internal;

/// <summary>Spectre's help, followed by the build's own <c>--name=value</c> arguments, which Spectre does not know.</summary>
internal sealed class ArgumentsHelpProvider(ICommandAppSettings settings, IReadOnlyList<(string Usage, string Description)> arguments)
    : HelpProvider(settings)
{
    public override IEnumerable<IRenderable> GetFooter(ICommandModel model, ICommandInfo? command)
    {
        foreach (var renderable in base.GetFooter(model, command))
        {
            yield return renderable;
        }

        if (arguments.Count == 0)
        {
            yield break;
        }

        var grid = new Grid().AddColumn(new GridColumn().PadLeft(4).PadRight(2).NoWrap()).AddColumn();
        foreach (var (usage, description) in arguments)
        {
            grid.AddRow(new Text(usage), new Text(description));
        }

        yield return new Text(Environment.NewLine);
        yield return new Markup("[yellow]ARGUMENTS:[/]" + Environment.NewLine);
        yield return grid;
    }
}
