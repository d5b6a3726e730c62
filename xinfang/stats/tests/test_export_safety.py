"""Chart tables exported as CSV/Excel never carry a formula (issue 13, finding 5)."""

import csv
import io

from openpyxl import load_workbook

from xinfang.stats import exports

ROWS = [['=HYPERLINK("http://example.invalid","点击")', 3], ["\t=1+2", 2], ["新海街道\x07", 1]]


def test_xlsx_chart_table_writes_names_as_text():
    book = load_workbook(io.BytesIO(exports.to_xlsx(["单位", "件数"], ROWS, "按属地")))
    cells = [c for row in book.active.iter_rows() for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert [c.value for c in cells if c.column == 1][1:] == [
        "'" + ROWS[0][0],
        "'\t=1+2",
        "新海街道",
    ]
    assert [c.value for c in cells if c.column == 2][1:] == [3, 2, 1]


def test_csv_chart_table_neutralises_formulas():
    text = exports.to_csv(["单位", "件数"], ROWS).decode("utf-8-sig")
    first_column = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert all(value.startswith("'") for value in first_column[:2])
