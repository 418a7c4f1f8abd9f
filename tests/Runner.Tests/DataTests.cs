using Core.Config;
using Runner.Data;
using TestSupport;
using static TorchSharp.torch;

namespace Runner.Tests;

public sealed class DataTests : IDisposable
{
    private readonly TempDir _dir = new("runner-data");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_vocabulary_is_the_sorted_distinct_characters_of_the_corpus_and_the_validation_split_is_its_tail()
    {
        var path = _dir.Write("c.txt", "hello world\nthe end of it all");
        var data = CharDataset.Load(path, new DataConfig { SeqLen = 4, ValFraction = 0.2 });

        Assert.Equal("\n adefhilnortw", data.Vocab.Chars);
        Assert.Equal(data.Vocab.Decode(data.Train) + data.Vocab.Decode(data.Val), File.ReadAllText(path));
        Assert.Equal("t all", data.Vocab.Decode(data.Val)); // floor(29 × 0.2) = 5 characters
    }

    [Fact]
    public void A_separate_validation_file_replaces_the_tail_split_and_must_use_the_corpus_characters()
    {
        var corpus = _dir.Write("c.txt", "abcabcabcabc");
        var val = _dir.Write("v.txt", "cabcab");
        var data = CharDataset.Load(corpus, new DataConfig { SeqLen = 3, ValPath = val });
        Assert.Equal(("abcabcabcabc", "cabcab"), (data.Vocab.Decode(data.Train), data.Vocab.Decode(data.Val)));

        var bad = _dir.Write("bad.txt", "abxaby");
        var e = Assert.Throws<BadInputException>(() => CharDataset.Load(corpus, new DataConfig { SeqLen = 3, ValPath = bad }));
        Assert.Contains($"the validation file {bad} has characters the corpus lacks: 'x', 'y'", e.Message);
    }

    [Fact]
    public void A_validation_split_shorter_than_seq_len_plus_one_is_refused()
    {
        var path = _dir.Write("c.txt", new string('a', 50));
        var e = Assert.Throws<BadInputException>(() => CharDataset.Load(path, new DataConfig { SeqLen = 10, ValFraction = 0.1 }));
        Assert.Contains("has 5 characters, but data.seq_len = 10 needs at least 11", e.Message);
    }

    [Fact]
    public void Batches_are_windows_of_seq_len_with_next_character_targets_covering_every_window_once_per_epoch()
    {
        var tokens = Enumerable.Range(0, 101).Select(i => (long)i).ToArray();
        var plan = new BatchPlan(tokens, seqLen: 10, batchSize: 4);
        Assert.Equal((10, 3), (plan.Windows, plan.Batches));

        var order = plan.Shuffled(trialSeed: 42, epoch: 1);
        var starts = new List<long>();
        for (var b = 0; b < plan.Batches; b++)
        {
            using var scope = NewDisposeScope();
            var (x, y) = plan.Batch(order, b, CPU);
            Assert.Equal(b < 2 ? 4 : 2, x.shape[0]);
            Assert.True(y.eq(x + 1).all().item<bool>());
            for (var row = 0; row < x.shape[0]; row++)
            {
                var first = x[row, 0].item<long>();
                Assert.Equal(0, first % 10);
                Assert.Equal(Enumerable.Range((int)first, 10).Select(i => (long)i), x[row].data<long>().ToArray());
                starts.Add(first);
            }
        }
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 10L), starts.Order());
    }

    [Fact]
    public void The_shuffle_depends_only_on_the_trial_seed_and_the_epoch()
    {
        var plan = new BatchPlan(new long[1001], seqLen: 10, batchSize: 8);
        Assert.Equal(plan.Shuffled(42, 3), new BatchPlan(new long[1001], 10, 8).Shuffled(42, 3));
        Assert.NotEqual(plan.Shuffled(42, 3), plan.Shuffled(42, 4));
        Assert.NotEqual(plan.Shuffled(42, 3), plan.Shuffled(43, 3));
        Assert.NotEqual(plan.InOrder(), plan.Shuffled(42, 1));
        // Pinned (also computed by an independent Python SplitMix64): the order must never change, checkpoints rely on re-deriving it.
        Assert.Equal([5, 0, 2, 1, 3, 8, 9, 7, 4, 6], new BatchPlan(new long[101], 10, 8).Shuffled(42, 1));
    }

    [Fact]
    public void The_shuffle_generator_is_splitmix64()
    {
        // Reference outputs of SplitMix64 for seed 1234567 (Vigna; also Rosetta Code).
        var g = new SplitMix64(1234567);
        Assert.Equal([6457827717110365317UL, 3203168211198807973UL, 9817491932198370423UL, 4593380528125082431UL, 16408922859458223821UL],
            Enumerable.Range(0, 5).Select(_ => g.Next()));
    }
}
