using System.Text;
using Runner.Model;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Runner.Checkpoints;

/// <summary>
/// The checkpoint file format (little-endian, one file per checkpoint):
/// <code>
/// "CRNNCKPT"  int32 format=2  string meta-json
/// int64 n + n bytes  model state       (TorchSharp Module.save)
/// int64 n + n bytes  optimizer state   (TorchSharp save_state_dict: Adam moments and step counts)
/// int64 n + n bytes  torch CPU RNG state (torch.random.get_rng_state)
/// "CRNNEND!"
/// </code>
/// A file that is cut short or altered fails to parse here; the store's sha256 catches it first.
/// Format 1 differs only in its metadata (the position's fields at the top level) and is still read.
/// </summary>
internal sealed class CheckpointFile
{
    private static readonly byte[] Magic = "CRNNCKPT"u8.ToArray();
    private static readonly byte[] Trailer = "CRNNEND!"u8.ToArray();
    private const int Format = 2;
    private static readonly int[] Readable = [1, 2];

    private CheckpointFile(CheckpointMeta meta, byte[] model, byte[] optimizer, byte[] rng)
    {
        Meta = meta;
        ModelState = model;
        OptimizerState = optimizer;
        RngState = rng;
    }

    public CheckpointMeta Meta { get; }
    private byte[] ModelState { get; }
    private byte[] OptimizerState { get; }
    private byte[] RngState { get; }

    /// <summary>Writes model, optimizer and RNG state to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, CheckpointMeta meta, CharRnn model, OptimizerHelper optimizer)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Format);
        w.Write(meta.ToJson());
        WriteSection(w, s => model.save(s));
        WriteSection(w, optimizer.save_state_dict);
        using (var rng = torch.random.get_rng_state())
            WriteSection(w, s => s.Write(rng.bytes));
        w.Write(Trailer);
        w.Flush();
    }

    /// <summary>Parses a checkpoint; throws <see cref="BadInputException"/> if it is not a whole checkpoint file.</summary>
    public static CheckpointFile Read(string path)
    {
        try
        {
            using var r = new BinaryReader(File.OpenRead(path), Encoding.UTF8);
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new FormatException("it does not start like a checkpoint file");
            var format = r.ReadInt32();
            if (!Readable.Contains(format)) throw new FormatException($"format {format} is not one this Runner reads ({string.Join(", ", Readable)})");
            var meta = CheckpointMeta.FromJson(r.ReadString(), format);
            var model = ReadSection(r);
            var optimizer = ReadSection(r);
            var rng = ReadSection(r);
            if (!r.ReadBytes(Trailer.Length).AsSpan().SequenceEqual(Trailer)) throw new FormatException("it does not end like a checkpoint file");
            return new CheckpointFile(meta, model, optimizer, rng);
        }
        catch (Exception e) when (e is EndOfStreamException or FormatException or IOException or System.Text.Json.JsonException)
        {
            throw new BadInputException($"checkpoint {path} is damaged ({e.Message})");
        }
    }

    /// <summary>
    /// Loads the weights into a model that is still on the CPU. TorchSharp's <c>Module.load</c> moves a
    /// module that is elsewhere to the CPU and back, which replaces its parameter tensors; loading
    /// before the move keeps an optimizer built afterwards on the model's own tensors.
    /// </summary>
    public void LoadModel(CharRnn model)
    {
        if (model.parameters().Any(p => p.device_type != DeviceType.CPU))
            throw new InvalidOperationException($"checkpoint {Meta.Name}: load the weights while the model is on the CPU, then move it (Module.load replaces the parameters of a model on another device)");
        Apply("model state", () =>
        {
            using var r = new BinaryReader(new MemoryStream(ModelState));
            model.load(r, strict: true);
        });
    }

    public void LoadOptimizer(OptimizerHelper optimizer) => Apply("optimizer state", () =>
    {
        using var r = new BinaryReader(new MemoryStream(OptimizerState));
        optimizer.load_state_dict(r);
    });

    /// <summary>
    /// Restores torch's global CPU generator (dropout on the CPU) to where it was when the checkpoint
    /// was written. TorchSharp 0.107 gives no access to a CUDA generator's state (only
    /// <c>cuda.manual_seed</c>), so dropout on a GPU does not resume exactly.
    /// </summary>
    public void RestoreRng() => Apply("RNG state", () =>
    {
        using var state = torch.empty(RngState.Length, dtype: ScalarType.Byte);
        state.bytes = RngState;
        torch.random.set_rng_state(state);
    });

    private void Apply(string what, Action load)
    {
        try { load(); }
        catch (Exception e) when (e is not BadInputException)
        {
            throw new BadInputException($"checkpoint {Meta.Name} of trial {Meta.TrialId}: its {what} does not fit this model ({e.Message})");
        }
    }

    private static void WriteSection(BinaryWriter w, Action<BinaryWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var section = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            write(section);
            section.Flush();
        }
        w.Write(buffer.Length);
        buffer.Position = 0;
        buffer.CopyTo(w.BaseStream);
    }

    private static byte[] ReadSection(BinaryReader r)
    {
        var n = r.ReadInt64();
        if (n < 0 || n > r.BaseStream.Length - r.BaseStream.Position) throw new EndOfStreamException($"a section of {n} bytes runs past the end of the file");
        return r.ReadBytes((int)n);
    }
}
