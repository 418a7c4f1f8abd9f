using static TorchSharp.torch;

namespace Runner.Model;

/// <summary>The recurrent state carried between calls when generating: h, and c for an LSTM.</summary>
internal sealed record RnnState(Tensor H, Tensor? C);
