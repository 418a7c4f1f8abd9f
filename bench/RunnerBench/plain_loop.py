"""PyTorch's plain training loop for the Runner's model, the reference of the GPU target
(Runner >= 1.0x this loop on GRU-1024, batch 64, seq 100; see docs/runner.md, "Performance").

Embedding(vocab, embedding) -> GRU/LSTM(hidden) -> Linear(hidden, vocab), Adam(0.002), cross-entropy,
gradient clipping at 5.0, on random tokens made in advance on the device; the loss is read back every
--log-every steps, as the Runner and RunnerBench's bare loop do. Prints one line: chars/s.

    python3 bench/RunnerBench/plain_loop.py --device cuda --cell gru --hidden 1024
"""
import argparse
import time

import torch


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    p.add_argument("--cell", choices=["gru", "lstm"], default="gru")
    p.add_argument("--hidden", type=int, default=1024)
    p.add_argument("--embedding", type=int, default=256)
    p.add_argument("--vocab", type=int, default=65)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--seq-len", type=int, default=100)
    p.add_argument("--warmup", type=int, default=10)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: torch's choice)")
    a = p.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)

    class Model(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embedding = torch.nn.Embedding(a.vocab, a.embedding)
            rnn = torch.nn.LSTM if a.cell == "lstm" else torch.nn.GRU
            self.rnn = rnn(a.embedding, a.hidden, batch_first=True)
            self.dense = torch.nn.Linear(a.hidden, a.vocab)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.dense(self.rnn(self.embedding(x))[0])

    torch.manual_seed(1)
    model = Model().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
    batches = [(torch.randint(0, a.vocab, (a.batch_size, a.seq_len), device=device),
                torch.randint(0, a.vocab, (a.batch_size, a.seq_len), device=device)) for _ in range(4)]

    def step(i: int) -> None:
        x, y = batches[i % len(batches)]
        logits = model(x)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, a.vocab), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
        if (i + 1) % a.log_every == 0:
            loss.item()

    def synchronize() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    for i in range(a.warmup):
        step(i)
    synchronize()
    start = time.perf_counter()
    for i in range(a.warmup, a.warmup + a.steps):
        step(i)
    synchronize()
    seconds = time.perf_counter() - start
    print(f"pytorch {torch.__version__} {a.device} {a.cell} {a.hidden}: {a.steps * a.batch_size * a.seq_len / seconds:,.0f} chars/s "
          f"(batch {a.batch_size}, seq {a.seq_len}, {a.steps} timed steps after {a.warmup}, loss read every {a.log_every})")


if __name__ == "__main__":
    main()
