// The orchestrator's crash tests send POSIX signals and run bash scripts: Linux (and similar) only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
