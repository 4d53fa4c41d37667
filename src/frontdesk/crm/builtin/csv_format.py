"""The customer CSV file: columns, delimiters, limits, and rows with their line numbers.

The file is UTF-8 (a byte-order mark is ignored), comma- or semicolon-separated (the
header line decides: spreadsheets in Russian locales write semicolons), with CRLF or LF
line ends and a header naming its columns. The limits protect the server: a file over
:data:`MAX_BYTES` or :data:`MAX_ROWS` data rows is refused as a whole.

A cell that a spreadsheet would run as a formula (starting with ``= + - @``) is written
with a leading apostrophe, which spreadsheets hide and :func:`unescape` removes again;
a value that itself starts with an apostrophe gets one more, so every value survives an
export and a re-import unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from frontdesk.domain.errors import ValidationError

if TYPE_CHECKING:
    from _csv import Reader

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000

COLUMNS = (
    "id",
    "name",
    "company",
    "category",
    "status",
    "manager",
    "vip",
    "blacklisted",
    "languages",
    "phones",
    "emails",
    "messengers",
)
"""The standard columns, in export order; only ``name`` is required."""

FIELD_PREFIX = "field:"
"""A column ``field:<name>`` holds the custom field ``<name>``."""

LIST_SEPARATOR = "; "
"""Between phones, e-mails and messenger ids in one cell (languages use commas)."""

_FORMULA_STARTS = ("=", "+", "-", "@", "'")
_TRUE = frozenset({"true", "yes", "y", "1", "да", "д"})
_FALSE = frozenset({"false", "no", "n", "0", "нет", "н", ""})


@dataclass(frozen=True, slots=True)
class Header:
    """The columns of a file: a standard column name or ``field:<name>`` per position."""

    columns: tuple[str, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        """The custom field names, in file order."""
        return tuple(c.removeprefix(FIELD_PREFIX) for c in self.columns if _is_field(c))


@dataclass(frozen=True, slots=True)
class Row:
    """A data row: its first line in the file and its cells by column, unescaped."""

    line: int
    cells: dict[str, str]
    extra: int  # cells beyond the header's columns


def decode(data: str | bytes) -> str:
    """The file's text without a byte-order mark; ``ValidationError`` if too large or not UTF-8."""
    if isinstance(data, bytes):
        _check_size(len(data))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                f"the file is not UTF-8 text (bad byte at offset {exc.start})",
                code="csv.not_utf8",
                offset=exc.start,
            ) from exc
    else:
        text = data
        # A character takes 1 to 4 bytes in UTF-8: encode only when the length is unclear.
        if len(text) > MAX_BYTES or len(text) * 4 > MAX_BYTES:
            _check_size(len(text) if len(text) > MAX_BYTES else len(text.encode("utf-8")))
    return text.removeprefix("\ufeff")


def _check_size(size: int) -> None:
    if size > MAX_BYTES:
        raise ValidationError(
            f"the file has {size} bytes; at most {MAX_BYTES} bytes (10 MB) can be imported",
            code="csv.too_large",
            size=size,
            limit=MAX_BYTES,
        )


def delimiter_of(text: str) -> str:
    """``;`` when the header line has more semicolons than commas, else ``,``."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def read(text: str) -> tuple[Header, Iterator[Row]]:
    """The header and the data rows of ``text``; blank lines are skipped.

    Raises ``ValidationError`` for a bad header (``csv.no_header``,
    ``csv.unknown_column``, ``csv.duplicate_column``, ``csv.missing_column``), and, while
    iterating, for text that is not CSV (``csv.malformed``, with its line) or more than
    :data:`MAX_ROWS` data rows (``csv.too_many_rows``).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(text), strict=True)
    first = _next(reader)
    if first is None or not any(cell.strip() for cell in first):
        raise ValidationError("the file has no header line", code="csv.no_header")
    header = _header(first)
    return header, _rows(reader, header)


def _header(cells: Sequence[str]) -> Header:
    columns: list[str] = []
    unknown: list[str] = []
    for cell in cells:
        name = cell.strip()
        if name.lower().startswith(FIELD_PREFIX) and name[len(FIELD_PREFIX) :].strip():
            columns.append(FIELD_PREFIX + name[len(FIELD_PREFIX) :].strip())
        elif name.lower() in COLUMNS:
            columns.append(name.lower())
        else:
            unknown.append(name)
            columns.append(name)
    if unknown:
        raise ValidationError(
            f"unknown columns {', '.join(repr(u) for u in unknown)}: the columns are "
            f"{', '.join(COLUMNS)} and field:<name> for custom fields",
            code="csv.unknown_column",
            columns=unknown,
        )
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise ValidationError(
            f"columns appear twice: {', '.join(repeated)}",
            code="csv.duplicate_column",
            columns=repeated,
        )
    if "name" not in columns:
        raise ValidationError("the header has no 'name' column", code="csv.missing_column")
    return Header(tuple(columns))


def _rows(reader: Reader, header: Header) -> Iterator[Row]:
    width = len(header.columns)
    count = 0
    while True:
        line = reader.line_num + 1
        cells = _next(reader)
        if cells is None:
            return
        if not any(cell.strip() for cell in cells):
            continue
        count += 1
        if count > MAX_ROWS:
            raise ValidationError(
                f"the file has more than {MAX_ROWS} rows; split it into smaller files",
                code="csv.too_many_rows",
                limit=MAX_ROWS,
            )
        values = [unescape(cell.strip()) for cell in cells[:width]]
        values += [""] * (width - len(values))
        yield Row(line, dict(zip(header.columns, values, strict=True)), max(0, len(cells) - width))


def _next(reader: Reader) -> list[str] | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        line = reader.line_num
        raise ValidationError(
            f"line {line}: not valid CSV ({exc})", code="csv.malformed", line=line
        ) from exc


def escape(value: str) -> str:
    """``value`` as written to a cell: an apostrophe before what a spreadsheet would run."""
    return f"'{value}" if value.startswith(_FORMULA_STARTS) else value


def unescape(cell: str) -> str:
    """The value of a cell written by :func:`escape`; other cells are returned as they are."""
    if cell.startswith("'") and cell[1:].startswith(_FORMULA_STARTS):
        return cell[1:]
    return cell


def parse_bool(cell: str) -> bool | None:
    """True, False (blank is False), or None when the cell is not a yes/no value."""
    value = cell.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def split_list(cell: str, separator: str = ";") -> list[str]:
    """The non-blank items of a list cell, trimmed."""
    return [item.strip() for item in cell.split(separator) if item.strip()]


def write(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A CSV text (comma, CRLF, quoted where needed) with every cell escaped."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([escape(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def _is_field(column: str) -> bool:
    return column.startswith(FIELD_PREFIX)
