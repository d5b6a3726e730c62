"""Read labelled training CSV files for the triage text models (pure Python, no Django).

Contract: UTF-8 with or without a byte-order mark; a header row; a text column, an optional title
column and a label column. Rows whose text (or label) is blank are skipped. A missing column or a
file that is not UTF-8 raises :class:`CsvFormatError` with a Chinese message fit to show a user.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

# Some petitions are long letters; the csv module's default 128 KiB field limit is too small for them.
csv.field_size_limit(16 * 1024 * 1024)


class CsvFormatError(ValueError):
    """The file cannot be used as training data; ``str(error)`` is a Chinese message."""


@dataclass
class LabelledRows:
    """Parallel lists, one entry per usable row. ``titles`` is None when the file has no title column."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    titles: list[str] | None = None
    ids: list[str] = field(default_factory=list)
    skipped: int = 0

    def __len__(self) -> int:
        return len(self.texts)


def read_labelled_csv(
    path: str | Path,
    *,
    label_column: str = "label",
    text_column: str = "text",
    title_column: str = "title",
    id_column: str = "id",
) -> LabelledRows:
    """Read ``path``; ``ids`` holds the id column when present, else the 1-based data row number."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = [c.strip() for c in (reader.fieldnames or [])]
            reader.fieldnames = columns
            for required in (text_column, label_column):
                if required not in columns:
                    shown = "、".join(columns) if columns else "（无）"
                    raise CsvFormatError(f"文件“{path.name}”缺少必需的列“{required}”。现有的列：{shown}。")
            has_title = title_column in columns
            has_id = id_column in columns
            rows = LabelledRows(titles=[] if has_title else None)
            for number, record in enumerate(reader, start=1):
                text = (record.get(text_column) or "").strip()
                label = (record.get(label_column) or "").strip()
                if not text or not label:
                    rows.skipped += 1
                    continue
                rows.texts.append(text)
                rows.labels.append(label)
                if rows.titles is not None:
                    rows.titles.append((record.get(title_column) or "").strip())
                rows.ids.append((record.get(id_column) or "").strip() if has_id else str(number))
    except UnicodeDecodeError as exc:
        raise CsvFormatError(f"文件“{path.name}”不是 UTF-8 编码，请另存为 UTF-8 格式的 CSV 后重试。") from exc
    except csv.Error as exc:
        raise CsvFormatError(f"文件“{path.name}”不是有效的 CSV 文件：{exc}") from exc
    if not rows.texts:
        raise CsvFormatError(f"文件“{path.name}”中没有可用的数据行（正文或标签为空的行已跳过）。")
    return rows
