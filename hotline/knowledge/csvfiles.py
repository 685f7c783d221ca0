"""Reading the knowledge base's CSV files, with errors a person can act on (in Chinese)."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path


class CsvFormatError(ValueError):
    """A CSV file that cannot be read as the expected table; the message says why."""


def iter_csv(path: str | Path, required: Sequence[str]) -> Iterator[dict[str, str]]:
    """Rows of a UTF-8 CSV (BOM allowed) that must have the `required` columns, one at a time.

    The header is checked before the first row is returned, so a wrong file fails before any work.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            columns = [c.strip() for c in reader.fieldnames or []]
            missing = [c for c in required if c not in columns]
            if missing:
                raise CsvFormatError(
                    f"{path}：缺少列 {', '.join(missing)}（需要 {', '.join(required)}，"
                    f"实际为 {', '.join(columns) or '空'}）"
                )
            reader.fieldnames = columns
            for row in reader:
                yield {k: (v or "") for k, v in row.items() if k is not None}
    except FileNotFoundError as exc:
        raise CsvFormatError(f"{path}：文件不存在") from exc
    except UnicodeDecodeError as exc:
        raise CsvFormatError(f"{path}：不是 UTF-8 编码的 CSV 文件") from exc
    except csv.Error as exc:
        raise CsvFormatError(f"{path}：CSV 格式错误（{exc}）") from exc


def read_csv(path: str | Path, required: Sequence[str]) -> list[dict[str, str]]:
    """All rows of a CSV with the `required` columns (see `iter_csv`)."""
    return list(iter_csv(path, required))
