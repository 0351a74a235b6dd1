using Rekey.Reporting;

namespace Rekey.Tests.Reporting;

public sealed class RunJournalTests
{
    private static readonly DateTimeOffset T1 = new(2026, 11, 28, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Since_a_checkpoint_gives_only_the_entries_facts_and_marks_added_or_changed_after_it()
    {
        var journal = new RunJournal();
        journal.Add("PrepareKey", "Created key.");
        journal.Fact("target-key", "arn:aws:kms:us-east-1:111111111111:key/a");
        journal.Fact("kept", "same");
        journal.Mark("fenced", T1.AddMinutes(-2));

        var checkpoint = journal.Checkpoint();
        journal.Add("Fence", "T1 taken.");
        journal.Fact("kept", "same");
        journal.Fact("target-key", "arn:aws:kms:us-east-1:111111111111:key/b");
        journal.Mark("t1", T1);

        var changes = journal.Since(checkpoint);

        Assert.Equal(["T1 taken."], changes.Entries.Select(e => e.Message));
        Assert.Equal(new Dictionary<string, string> { ["target-key"] = "arn:aws:kms:us-east-1:111111111111:key/b" }, changes.Facts);
        Assert.Equal(new Dictionary<string, DateTimeOffset> { ["t1"] = T1 }, changes.Marks);
    }

    [Fact]
    public void Since_the_start_gives_everything()
    {
        var journal = new RunJournal();
        journal.Add("Verify", "Verified.");
        journal.Fact("target-key", "k");

        var changes = journal.Since(JournalCheckpoint.Start);

        Assert.Single(changes.Entries);
        Assert.Equal("k", changes.Facts["target-key"]);
        Assert.Empty(changes.Marks);
    }
}
