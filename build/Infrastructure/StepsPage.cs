using System.Globalization;
using System.Reflection;
using System.Text;
using Cake.Frosting;
using Rekey.Safety;

namespace Rekey.Build.Infrastructure;

/// <summary>docs/steps.md: every task, what it does, and for each step that changes AWS what the change guard holds it to.</summary>
public static class StepsPage
{
    public static string Render()
    {
        var tasks = typeof(StepsPage).Assembly.GetTypes()
            .Where(t => t.GetCustomAttribute<TaskNameAttribute>() is not null && t.Namespace == "Rekey.Build.Tasks")
            .Select(t => (
                Name: t.GetCustomAttribute<TaskNameAttribute>()!.Name,
                Description: t.GetCustomAttribute<TaskDescriptionAttribute>()?.Description ?? string.Empty,
                Composite: t.GetCustomAttribute<CompositeTargetAttribute>() is not null,
                Changes: t.GetCustomAttribute<ChangesAwsAttribute>() is not null,
                Source: $"build/Tasks/{t.Name}.cs"))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

        var md = new StringBuilder();
        md.AppendLine("# Steps and what each may change");
        md.AppendLine();
        md.AppendLine("Generated from the task classes in `build/Tasks` and the step rules in `src/Rekey` (`StepCatalog`); a test");
        md.AppendLine("fails when this page and the code disagree (`REKEY_WRITE_DOCS=1 dotnet test tests/Build.Tests --filter StepsPage`");
        md.AppendLine("writes it anew). Every call that changes AWS passes the change guard ([safety.md](safety.md)), which refuses");
        md.AppendLine("an operation the step does not list here.");
        md.AppendLine();
        md.AppendLine("| Step | Changes AWS | What it does |");
        md.AppendLine("| --- | --- | --- |");
        foreach (var task in tasks)
        {
            var changes = task.Composite ? "through its steps" : task.Changes ? "yes" : "no";
            md.AppendLine(CultureInfo.InvariantCulture, $"| [`{task.Name}`](../{task.Source}) | {changes} | {task.Description.Replace("|", "\\|", StringComparison.Ordinal)} |");
        }

        foreach (var rules in StepCatalog.All.OrderBy(r => r.Step, StringComparer.Ordinal))
        {
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"## {rules.Step}");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"- Code: [{StepCatalog.SourceOf(rules)}](../{StepCatalog.SourceOf(rules)})");
            md.AppendLine(CultureInfo.InvariantCulture, $"- Lock: {(rules.Lock == LockRule.Hold ? "held by the run (taken when free)" : "not held by another run (not taken)")}");
            md.AppendLine(CultureInfo.InvariantCulture, $"- Expects: {rules.Expects.Description}");
            md.AppendLine(CultureInfo.InvariantCulture, $"- Target key: {(rules.ChecksTargetKey ? "a key recorded on the cluster must be the run's" : "not checked")}");
            if (rules.MayDeleteOldCluster)
            {
                md.AppendLine("- May delete the old cluster (the only step that may)");
            }

            md.AppendLine(CultureInfo.InvariantCulture, $"- May call: {string.Join(", ", rules.Changes.Order(StringComparer.Ordinal).Select(c => $"`{c}`"))}");
            md.AppendLine(CultureInfo.InvariantCulture, $"- May read: {Operations(rules.Reads)}");
        }

        md.AppendLine();
        md.AppendLine("## What the steps that change nothing read");
        md.AppendLine();
        md.AppendLine("The step-footprint test (`StepFootprintTests`) fails when a cutover's step reads an operation not listed for it.");
        md.AppendLine();
        foreach (var rules in StepCatalog.ReadOnly.OrderBy(r => r.Step, StringComparer.Ordinal))
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {rules.Step}: {Operations(rules.Reads)}");
        }

        return md.ToString();
    }

    private static string Operations(IEnumerable<string> operations) =>
        operations.Any() ? string.Join(", ", operations.Order(StringComparer.Ordinal).Select(o => $"`{o}`")) : "none declared";
}
