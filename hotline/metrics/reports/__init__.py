"""月度分析报告: the month's snapshot, the analyst's narrative, the xlsx workbook and the docx 专报."""
