using System.Diagnostics;
using TestSupport;

namespace Orchestrator.Tests;

/// <summary>
/// execution.mps: true starts NVIDIA's MPS daemon for the run and stops it afterwards; without the
/// daemon's program it is a clear error before anything is recorded (this machine has no NVIDIA
/// tools; the second test puts a stand-in nvidia-cuda-mps-control on the PATH that does what the
/// real one does with its pipe folder, and logs how it was called).
/// </summary>
[Collection("sweeps")]
public sealed class MpsTests
{
    [Fact]
    public void Mps_true_without_nvidia_cuda_mps_control_stops_the_run_before_anything_is_recorded()
    {
        using var dir = new TempDir("mps-missing");
        var spec = TinySweep.Write(dir, "mps", ["model.hidden: [16]"], execution: ["mps: true"]);

        var run = OrchestratorCli.Run(dir.Path, "run", spec);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("error: execution.mps is true, but nvidia-cuda-mps-control is not on the PATH (it comes with the NVIDIA driver, beside nvidia-smi) "
                        + "and no MPS daemon is running; install it, or set execution.mps to auto or false\nnothing was run or recorded", run.StdErr);
        Assert.False(File.Exists(dir.File("results/orchestrator.db")));
    }

    [Fact]
    public void Mps_true_starts_a_daemon_with_its_own_pipe_folder_for_the_run_and_quits_it_at_the_end()
    {
        using var dir = new TempDir("mps-start");
        var bin = dir.File("bin");
        var log = dir.File("mps.log");
        dir.Write("bin/nvidia-cuda-mps-control", $$"""
            #!/bin/bash
            # -d: start the daemon (it makes its control pipe); no argument: read commands from stdin.
            if [ "$1" = "-d" ]; then
              echo "start $CUDA_MPS_PIPE_DIRECTORY log=$CUDA_MPS_LOG_DIRECTORY" >> {{log}}
              mkfifo "$CUDA_MPS_PIPE_DIRECTORY/control"
            else
              read command
              echo "$command $CUDA_MPS_PIPE_DIRECTORY" >> {{log}}
              rm -f "$CUDA_MPS_PIPE_DIRECTORY/control"
            fi
            """);
        File.SetUnixFileMode(dir.File("bin/nvidia-cuda-mps-control"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var spec = TinySweep.Write(dir, "mps", ["model.hidden: [16]"], epochs: 1, maxSteps: 2, checkpointEvery: 0, parallel: 1, execution: ["mps: true"]);
        var env = new Dictionary<string, string> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}", ["CUDA_MPS_PIPE_DIRECTORY"] = dir.File("no-daemon-here") };

        var run = OrchestratorCli.Run(dir.Path, env, "run", spec);

        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = File.ReadAllLines(log);
        Assert.Equal(2, lines.Length);
        var pipes = lines[0].Split(' ')[1];
        Assert.Equal($"start {pipes} log={pipes}", lines[0]);
        Assert.Equal($"quit {pipes}", lines[1]);
        Assert.StartsWith(Path.Combine(Path.GetTempPath(), "orchestrator-mps-"), pipes);
        Assert.Contains($"MPS: started a daemon for this run (CUDA_MPS_PIPE_DIRECTORY={pipes})", run.StdOut);
        Assert.False(Directory.Exists(pipes), "the run's pipe folder was left behind");
    }
}
