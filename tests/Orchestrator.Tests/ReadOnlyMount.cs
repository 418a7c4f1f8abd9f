using System.Diagnostics;

namespace Orchestrator.Tests;

/// <summary>
/// Runs a command with a folder mounted read-only over itself, for that process alone: a bind
/// mount in a mount namespace of its own (<c>unshare -m</c>, which needs root, as the tests have
/// here and in CI).
/// </summary>
internal static class ReadOnlyMount
{
    /// <summary><paramref name="psi"/> (a dotnet command) run with <paramref name="folder"/> read-only.</summary>
    public static ProcessStartInfo Wrap(ProcessStartInfo psi, string folder)
    {
        List<string> command = [psi.FileName, .. psi.ArgumentList];
        psi.FileName = "unshare";
        psi.ArgumentList.Clear();
        foreach (var a in (string[])["-m", "sh", "-c", """mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" "$1" && shift && exec "$@" """, "sh", folder, .. command])
            psi.ArgumentList.Add(a);
        return psi;
    }
}
