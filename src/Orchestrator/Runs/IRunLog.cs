namespace Orchestrator.Runs;

/// <summary>What a run tells its user as it goes, before and after its trials' own progress. The CLI prints it.</summary>
internal interface IRunLog
{
    void Info(string line);

    /// <summary>Something is wrong, but the run goes on.</summary>
    void Warning(string line);
}
