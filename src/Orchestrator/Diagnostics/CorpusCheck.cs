using Core.Config;
using Core.Data;

namespace Orchestrator.Diagnostics;

/// <summary>Whether a corpus is where data.path says, with data.sha256, as <c>run</c>'s dataset step would find it (nothing is downloaded here).</summary>
internal static class CorpusCheck
{
    public static DoctorCheck Examine(DataConfig data, bool fromSpec)
    {
        const string name = "corpus";
        var path = Path.GetFullPath(data.Path);
        var expected = data.Sha256?.ToLowerInvariant();
        var details = new Dictionary<string, object?> { ["path"] = path, ["expected_sha256"] = expected, ["url"] = data.Url };
        if (Directory.Exists(path)) return DoctorCheck.Fail(name, $"data.path {path} is a folder; set data.path to the corpus file itself", details);
        if (FileKind.Of(path) == FileKindOf.Special)
            return DoctorCheck.Fail(name, $"data.path {path} is {FileKind.Describe(FileKindOf.Special)}; set data.path to a regular file holding the corpus text", details);
        if (!File.Exists(path))
        {
            var want = expected is null ? "" : $" (sha256 {expected})";
            if (data.Url is not null) return DoctorCheck.Warn(name, $"{path} is missing; `run` downloads it from {data.Url}", details);
            return fromSpec
                ? DoctorCheck.Fail(name, $"{path} is missing and data.url is not set; put the corpus there{want}", details)
                : DoctorCheck.Warn(name, $"{path} (the default data.path) is missing; put the corpus there, or give doctor a spec to check its corpus", details);
        }
        var actual = FileHash.Sha256(path);
        details["sha256"] = actual;
        details["bytes"] = new FileInfo(path).Length;
        if (expected is null) return DoctorCheck.Ok(name, $"{path} is present, sha256 {actual} (no data.sha256 to compare with)", details);
        if (actual == expected) return DoctorCheck.Ok(name, $"{path} is present with the right sha256 ({actual})", details);
        return data.Url is not null
            ? DoctorCheck.Warn(name, $"{path} has sha256 {actual}, not data.sha256 {expected}; `run` downloads it again from {data.Url}", details)
            : DoctorCheck.Fail(name, $"{path} has sha256 {actual}, but data.sha256 is {expected}; put the right file there", details);
    }
}
