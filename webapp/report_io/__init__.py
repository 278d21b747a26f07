"""Reading and writing whole reports in the fy2023_report.json format."""
from webapp.report_io.exporter import export_report
from webapp.report_io.importer import ImportSummary, import_report, load_report_file
from webapp.report_io.validate import ReportFileError, validate_report

__all__ = ["ImportSummary", "ReportFileError", "export_report", "import_report",
           "load_report_file", "validate_report"]
