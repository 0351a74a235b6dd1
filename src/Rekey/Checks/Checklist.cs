using System.Text.Json.Serialization;

namespace Rekey.Checks;

/// <summary>What one check found. A check that saw no data is neither passed nor failed.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CheckOutcome>))]
public enum CheckOutcome
{
    Passed,
    Failed,
    NotMeasured,
}

/// <summary>
/// One verification item: what was checked, what was found, and for a check that could not be made, where the
/// operator can look instead. <paramref name="Essential"/>: the step's verdict rests on it, so not measuring it
/// fails the step; a supplementary item not measured is listed (report, job summary, warning) and the step goes on.
/// </summary>
public sealed record CheckItem(string What, CheckOutcome Outcome, string Detail, string? LookInstead = null, bool Essential = true)
{
    /// <summary>One line for a log, an error message or a list.</summary>
    public override string ToString() => Outcome switch
    {
        CheckOutcome.Passed => Detail,
        CheckOutcome.Failed => Detail,
        _ => $"not measured: {What}: {Detail}{(LookInstead is null ? string.Empty : $" Look instead at: {LookInstead}")}",
    };
}

/// <summary>
/// The checks of one step, each passed, failed or not measured. A step passes only when every essential item
/// passed: "nothing measured" never reads as "nothing wrong".
/// </summary>
public sealed class Checklist
{
    private readonly List<CheckItem> _items = [];

    public IReadOnlyList<CheckItem> Items => _items;

    public IReadOnlyList<string> Passed => Texts(CheckOutcome.Passed);

    public IReadOnlyList<string> Failed => Texts(CheckOutcome.Failed);

    public IReadOnlyList<CheckItem> NotMeasured => [.. _items.Where(i => i.Outcome == CheckOutcome.NotMeasured)];

    /// <summary>Essential items that could not be measured: the step cannot claim them.</summary>
    public IReadOnlyList<CheckItem> Unmeasured => [.. _items.Where(i => i.Outcome == CheckOutcome.NotMeasured && i.Essential)];

    /// <summary>No item failed and every essential item was measured.</summary>
    public bool AllPassed => _items.All(i => i.Outcome == CheckOutcome.Passed || (i.Outcome == CheckOutcome.NotMeasured && !i.Essential));

    /// <summary>The failures and the essential items not measured, as lines for a message: what stops the step.</summary>
    public IReadOnlyList<string> Blocking => [.. _items.Where(i => i.Outcome == CheckOutcome.Failed || (i.Outcome == CheckOutcome.NotMeasured && i.Essential)).Select(i => i.ToString())];

    public void Pass(string what) => _items.Add(new CheckItem(what, CheckOutcome.Passed, what));

    public void Fail(string problem) => Fail(problem, problem);

    public void Fail(string what, string problem) => _items.Add(new CheckItem(what, CheckOutcome.Failed, problem));

    /// <summary>Passed as <paramref name="passed"/> when <paramref name="ok"/>, else failed as <paramref name="problem"/>.</summary>
    public void Check(bool ok, string passed, string problem) =>
        _items.Add(ok ? new CheckItem(passed, CheckOutcome.Passed, passed) : new CheckItem(passed, CheckOutcome.Failed, problem));

    /// <summary>A check that could not be made: <paramref name="why"/> says what was missing, <paramref name="lookInstead"/> what shows it otherwise.</summary>
    public void NotMeasuredBecause(string what, string why, string lookInstead, bool essential = true) =>
        _items.Add(new CheckItem(what, CheckOutcome.NotMeasured, why, lookInstead, essential));

    public void AddRange(Checklist other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _items.AddRange(other._items);
    }

    /// <summary>"12 passed, 1 failed, 1 not measured".</summary>
    public string Summary() =>
        $"{Count(CheckOutcome.Passed)} passed, {Count(CheckOutcome.Failed)} failed, {Count(CheckOutcome.NotMeasured)} not measured";

    private int Count(CheckOutcome outcome) => _items.Count(i => i.Outcome == outcome);

    private List<string> Texts(CheckOutcome outcome) => [.. _items.Where(i => i.Outcome == outcome).Select(i => i.Detail)];
}
