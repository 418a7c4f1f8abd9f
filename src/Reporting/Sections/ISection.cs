using Reporting.Markdown;

namespace Reporting.Sections;

/// <summary>One section of report.md: writes its Markdown and adds its figures to the context.</summary>
internal interface ISection
{
    void Write(ReportContext context, MarkdownWriter md);
}
