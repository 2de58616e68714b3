"""Office Open XML packages (XLSX, DOCX, PPTX) with the same bytes for the same inputs.

python-docx and python-pptx write zip entries stamped with the current time (and stamp the
document's core properties too), XlsxWriter with 1980-01-01. `fixed_zip` re-packs a package
with one given date and fixed attributes on every entry, in the order the library wrote them;
`as_utc` turns the date given by a caller (the data version's date, never "now") into the naive
UTC datetime the core properties carry.
"""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import UTC, date, datetime, time

ZIP_EPOCH = datetime(1980, 1, 1)  # the earliest date a zip entry can carry


def as_utc(timestamp: datetime | date | str) -> datetime:
    """A datetime, date or ISO text as a naive UTC datetime without microseconds."""
    if isinstance(timestamp, str):
        timestamp = datetime.fromisoformat(timestamp)
    if not isinstance(timestamp, datetime):
        timestamp = datetime.combine(timestamp, time(0))
    if timestamp.tzinfo is not None:
        timestamp = timestamp.astimezone(UTC).replace(tzinfo=None)
    return timestamp.replace(microsecond=0)


def fixed_zip(data: bytes, when: datetime) -> bytes:
    """The package `data` re-packed with `when` as the date and 0644 as the permissions of
    every entry (deflated, entries in their original order)."""
    stamp = max(when, ZIP_EPOCH).timetuple()[:6]
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def restamp_zip(data: bytes, when: datetime) -> bytes:
    """The package `data` with `when` as the date and 0644 (made on Unix) as the permissions of
    every entry, its compressed data untouched: what `fixed_zip` gives a package whose entries
    are all deflated already (XlsxWriter's), without inflating and deflating them again."""
    stamp = max(when, ZIP_EPOCH)
    dos_time = stamp.hour << 11 | stamp.minute << 5 | stamp.second // 2
    dos_date = (stamp.year - 1980) << 9 | stamp.month << 5 | stamp.day
    out = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = archive.infolist()
        central = archive.start_dir  # where the central directory starts
    if any(e.compress_type != zipfile.ZIP_DEFLATED for e in entries):
        return fixed_zip(data, when)
    for entry in entries:
        struct.pack_into("<HH", out, entry.header_offset + 10, dos_time, dos_date)
        # central directory record: made-by system, date, external attributes
        out[central + 5] = 3  # Unix
        struct.pack_into("<HH", out, central + 12, dos_time, dos_date)
        struct.pack_into("<I", out, central + 38, 0o644 << 16)
        name, extra, comment = struct.unpack_from("<HHH", out, central + 28)
        central += 46 + name + extra + comment
    return bytes(out)
