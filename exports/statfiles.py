"""SAS XPORT (v8), SPSS system files (.sav) and Stata 14+ files (.dta 118), written a row at a time.

Pure Python (`struct`, no Django): a writer is made with its variables and a binary file, takes
rows one by one (`write_row`) and finishes the file in `close`; what it holds in memory does
not depend on the number of rows. What a header must know before the data is given up front
(each text variable's width in UTF-8 bytes: the caller measures it first, `exports.values.
text_profile`) or written after the data by seeking back (the rows of a .sav, the rows and the
section offsets of a .dta), so the file must be seekable. Stata's long strings (strL), which
the format puts after the data, wait in a temporary file meanwhile.

The layouts are the published ones: SAS's TS-140 and its version 8 extension (80-byte records,
140-byte NAMESTRs, IBM hexadecimal floating point, labels longer than 40 bytes in a LABELV8
record); PSPP's description of the SPSS system file (UTF-8 by its character encoding record,
long names, very long strings in 252-byte segments, bytecode compression); Stata's dta 118
(UTF-8, str1-str2045 and strL). Missing values are each format's system missing value and
blank (or empty) text.

A value is written as its variable's type says: NUMBER an int or float, TEXT a str, DATE a
`datetime.date`, DATETIME a `datetime.datetime` (aware, or naive in UTC); None is missing.
Dates are each package's own: SAS days and seconds from 1960-01-01, SPSS seconds from
1582-10-14, Stata days (%td) and milliseconds (%tc) from 1960-01-01. XPORT has no value labels
(they would be a separate formats catalogue): its writer ignores them.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import shutil
import struct
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import IO, Any

NUMBER = "number"
TEXT = "text"
DATE = "date"
DATETIME = "datetime"

TEXT_MAX = 32_767  # bytes of a SAS or SPSS text value
SAS_EPOCH = dt.datetime(1960, 1, 1)  # noqa: DTZ001 (naive UTC, as the values are made)
SPSS_EPOCH = dt.datetime(1582, 10, 14)  # noqa: DTZ001 (the Gregorian calendar's first day)


@dataclass(frozen=True)
class Variable:
    name: str
    label: str = ""
    type: str = NUMBER
    width: int = 0  # TEXT: the longest value's UTF-8 bytes
    value_labels: tuple[tuple[int, str], ...] = ()  # NUMBER: (value, label)
    integer: bool = False  # NUMBER: displayed without decimals


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _number(
    variable: Variable, epoch: dt.datetime, *, day: float, tick: dt.timedelta
) -> Callable[[Any], float]:
    """How a value of the (non-text) variable becomes the file's number: a date counts `day`
    units a day from `epoch`, a date-time `tick`s."""
    if variable.type == DATE:
        start = epoch.date()
        return lambda value: (value - start).days * day
    if variable.type == DATETIME:
        return lambda value: (_utc(value) - epoch) / tick
    return float


def _cut(data: bytes, size: int) -> bytes:
    """At most `size` bytes of UTF-8 text, never half a character."""
    if len(data) <= size:
        return data
    return data[:size].decode("utf-8", errors="ignore").encode("utf-8")


def _text(value: str | None, width: int, name: str, *, cut: bool = False) -> bytes:
    """The value's UTF-8 bytes; one wider than its variable is refused (the header promised
    less), or `cut` for a variable wider than its format allows."""
    data = b"" if value is None else value.encode("utf-8")
    if len(data) > width:
        if not cut:
            raise ValueError(f"{name}: a value of {len(data)} bytes is wider than {width}")
        data = _cut(data, width)
    return data


def _capped(variables: Sequence[Variable]) -> tuple[list[Variable], set[str]]:
    """SAS and SPSS hold at most TEXT_MAX bytes of text a value: wider variables are narrowed
    to it and their longer values cut (Stata's strL holds them whole)."""
    wide = {v.name for v in variables if v.type == TEXT and v.width > TEXT_MAX}
    return [replace(v, width=TEXT_MAX) if v.name in wide else v for v in variables], wide


class Writer:
    """A file being written: `write_row` for each row, then `close`."""

    def __init__(
        self,
        handle: IO[bytes],
        variables: Sequence[Variable],
        *,
        name: str = "DATASET",
        label: str = "",
        now: dt.datetime | None = None,
    ) -> None:
        self.handle = handle
        self.variables = list(variables)
        self.name = name
        self.label = label
        self.now = now or dt.datetime.now(dt.UTC)
        self.rows = 0
        self._start = handle.tell()

    def write_row(self, values: Sequence[Any]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


# --- SAS XPORT, version 8 --------------------------------------------------------------------

XPORT_RECORD = 80
XPORT_MISSING = b"." + bytes(7)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_XPORT_FORMAT = {DATE: (b"DATE", 9), DATETIME: (b"E8601DT", 19)}


@functools.lru_cache(maxsize=16_384)  # bounded: dates and small counts repeat
def ibm_double(value: float) -> bytes:
    """An IEEE double as IBM System/360 hexadecimal floating point (sign, excess-64 power of
    16, 56-bit fraction): exact, as the fraction holds a double's 53 bits however shifted."""
    if value == 0:
        return bytes(8)
    if not math.isfinite(value):
        raise ValueError(f"{value} has no IBM representation")
    mantissa, exponent = math.frexp(abs(value))  # value = mantissa * 2**exponent, 0.5 <= m < 1
    power = -(-exponent // 4)  # of 16, so that the fraction is in [1/16, 1)
    if power + 64 > 127:
        raise ValueError(f"{value} is too large for IBM floating point")
    if power + 64 < 0:
        return bytes(8)  # below IBM's smallest: zero
    fraction = int(math.ldexp(mantissa, 56 + exponent - 4 * power))
    return bytes([(0x80 if value < 0 else 0) | (power + 64)]) + fraction.to_bytes(7, "big")


def _pad(text: bytes, size: int) -> bytes:
    return text[:size].ljust(size, b" ")


class XportWriter(Writer):
    """SAS transport file, version 8 (names up to 32 characters, labels up to 256 bytes):
    one member, the dataset. Every number is 8 bytes."""

    def __init__(self, handle: IO[bytes], variables: Sequence[Variable], **kwargs: Any) -> None:
        variables, self.wide = _capped(variables)
        super().__init__(handle, variables, **kwargs)
        self.widths = [max(v.width, 1) if v.type == TEXT else 8 for v in self.variables]
        self._cells = [self._cell(v, w) for v, w in zip(self.variables, self.widths, strict=True)]
        self._written = 0
        self._header()

    def _stamp(self) -> bytes:
        t = self.now.astimezone(dt.UTC)
        text = f"{t.day:02d}{_MONTHS[t.month - 1]}{t.year % 100:02d}:{t:%H:%M:%S}"
        return text.encode("ascii")

    def _record(self, data: bytes) -> None:
        self._emit(data)
        self._finish_record()

    def _emit(self, data: bytes) -> None:
        self.handle.write(data)
        self._written += len(data)

    def _finish_record(self) -> None:
        if self._written % XPORT_RECORD:
            self._emit(b" " * (XPORT_RECORD - self._written % XPORT_RECORD))

    def _header_record(self, name: str, numbers: str = "0" * 30) -> None:
        self._record(f"HEADER RECORD*******{name:<8}HEADER RECORD!!!!!!!{numbers:<30}".encode())

    def _header(self) -> None:
        stamp = self._stamp()
        self._header_record("LIBV8")
        self._record(b"SAS     SAS     SASLIB  6.06    bsd4.2  " + b" " * 24 + stamp)
        self._record(stamp)
        self._header_record("MEMBV8", "000000000000000001600000000140")
        self._header_record("DSCPTV8")
        name = _pad(self.name.encode("ascii", errors="replace"), 32)
        self._record(b"SAS     " + name + b"SASDATA 6.06    bsd4.2  " + stamp)
        label = _pad(_cut(self.label.encode("utf-8"), 40), 40)
        self._record(stamp + b" " * 16 + label + b" " * 8)
        self._header_record("NAMSTV8", f"000000{len(self.variables):04d}" + "0" * 20)
        long_labels = []
        position = 0
        for number, (variable, width) in enumerate(
            zip(self.variables, self.widths, strict=True), start=1
        ):
            name_bytes = variable.name.encode("ascii")
            label_bytes = _cut(variable.label.encode("utf-8"), 256)
            if len(label_bytes) > 40:
                long_labels.append((number, name_bytes, label_bytes))
            form, form_width = _XPORT_FORMAT.get(variable.type, (b"", 0))
            self._emit(
                struct.pack(
                    ">HHHH8s40s8sHHH2s8sHHI32sH18s",
                    2 if variable.type == TEXT else 1,
                    0,
                    width,
                    number,
                    _pad(name_bytes, 8),
                    _pad(_cut(label_bytes, 40), 40),
                    _pad(form, 8),
                    form_width,
                    0,
                    0,
                    b"\0\0",
                    _pad(form, 8),
                    form_width,
                    0,
                    position,
                    _pad(name_bytes, 32),
                    len(label_bytes),
                    bytes(18),
                )
            )
            position += width
        self._finish_record()
        if long_labels:
            self._header_record("LABELV8", f"{len(long_labels):<30}")
            for number, name_bytes, label_bytes in long_labels:
                self._emit(struct.pack(">HHH", number, len(name_bytes), len(label_bytes)))
                self._emit(name_bytes + label_bytes)
            self._finish_record()
        self._header_record("OBSV8")

    def _cell(self, variable: Variable, width: int) -> Callable[[Any], bytes]:
        if variable.type == TEXT:
            cut = variable.name in self.wide
            return lambda value: _text(value, width, variable.name, cut=cut).ljust(width, b" ")
        number = _number(variable, SAS_EPOCH, day=1, tick=dt.timedelta(seconds=1))
        return lambda value: XPORT_MISSING if value is None else ibm_double(number(value))

    def write_row(self, values: Sequence[Any]) -> None:
        self._emit(b"".join([cell(v) for cell, v in zip(self._cells, values, strict=True)]))
        self.rows += 1

    def close(self) -> None:
        self._finish_record()


# --- SPSS system file --------------------------------------------------------------------------

SAV_SYSMIS = -sys.float_info.max
SAV_SEGMENT = 252  # bytes of a very long string per 255-byte segment, as SPSS counts them
SAV_NAME_MAX = 64
SAV_LABEL_MAX = 255  # bytes of a variable label
SAV_VALUE_LABEL_MAX = 120  # bytes of a value label
SAV_BIAS = 100  # compression: a whole number from -99 to 151 is one byte, number + 100
_SAV_FORMAT = {DATE: (20, 11, 0), DATETIME: (22, 20, 0)}  # DATE11, DATETIME20
_DOUBLE = struct.Struct("<d").pack


def _sav_segments(width: int) -> list[int]:
    """The widths of the variables that hold a string of `width` bytes: one up to 255, else
    255-byte segments and a last one (PSPP, "very long string record")."""
    if width <= 255:
        return [max(width, 1)]
    count = (width + SAV_SEGMENT - 1) // SAV_SEGMENT
    return [255] * (count - 1) + [width - (count - 1) * SAV_SEGMENT]


def _slots(width: int) -> int:
    return (width + 7) // 8


class SavWriter(Writer):
    """SPSS system file, bytecode-compressed, UTF-8. Variable names up to 64 characters (long
    names record), strings of any width (very long string record), value labels for numbers."""

    def __init__(self, handle: IO[bytes], variables: Sequence[Variable], **kwargs: Any) -> None:
        variables, self.wide = _capped(variables)
        super().__init__(handle, variables, **kwargs)
        self.segments = [_sav_segments(v.width) if v.type == TEXT else [] for v in self.variables]
        self.short_names = self._short_names()
        tick = dt.timedelta(seconds=1)
        self._plan = [
            (v, segments, None if v.type == TEXT else _number(v, SPSS_EPOCH, day=86400, tick=tick))
            for v, segments in zip(self.variables, self.segments, strict=True)
        ]
        self._header()

    def _short_names(self) -> list[list[str]]:
        """Each variable's 8-byte names: its own, then its segments'; unique."""
        taken: set[str] = set()

        def unique(candidate: str) -> str:
            n = 0
            name = candidate
            while name in taken:
                n += 1
                name = f"{candidate[: 8 - len(str(n)) - 1]}_{n}"
            taken.add(name)
            return name

        out = []
        for variable, segments in zip(self.variables, self.segments, strict=True):
            first = unique(variable.name[:8].upper())
            out.append([first] + [unique(first[:5] + str(i)) for i in range(1, len(segments))])
        return out

    def _header(self) -> None:
        write = self.handle.write
        case_slots = sum(sum(_slots(w) for w in s) if s else 1 for s in self.segments)
        t = self.now.astimezone(dt.UTC)
        write(
            struct.pack(
                "<4s60s5id9s8s64s3s",
                b"$FL2",
                _pad(b"@(#) SPSS DATA FILE - CS-EDC", 60),
                2,  # layout code
                case_slots,
                1,  # bytecode compression
                0,  # no weight variable
                -1,  # number of cases: written in close()
                float(SAV_BIAS),
                f"{t.day:02d} {_MONTHS[t.month - 1].title()} {t.year % 100:02d}".encode(),
                f"{t:%H:%M:%S}".encode(),
                _pad(_cut(self.label.encode("utf-8"), 64), 64),
                bytes(3),
            )
        )
        index = 1  # a variable's dictionary index: its first 8-byte slot, from 1
        value_labels = []
        display = []
        for variable, segments, names in zip(
            self.variables, self.segments, self.short_names, strict=True
        ):
            if variable.value_labels:
                value_labels.append((index, variable.value_labels))
            label = _cut(variable.label.encode("utf-8"), SAV_LABEL_MAX)
            if variable.type != TEXT:
                kind, width, decimals = _SAV_FORMAT.get(
                    variable.type, (5, 8, 0 if variable.integer else 2)
                )
                self._variable(0, names[0], (kind << 16) | (width << 8) | decimals, label)
                display.append((1 if variable.value_labels else 3, 8, 1))
                index += 1
                continue
            for n, (width, name) in enumerate(zip(segments, names, strict=True)):
                self._variable(width, name, (1 << 16) | (width << 8), label if n == 0 else b"")
                slots = _slots(width)
                for _ in range(slots - 1):  # continuation records
                    write(struct.pack("<6i8s", 2, -1, 0, 0, 0, 0, b" " * 8))
                display.append((1, min(max(variable.width, 8), 40), 0))
                index += slots
        for var_index, labels in value_labels:
            write(struct.pack("<2i", 3, len(labels)))
            for value, text in labels:
                data = _cut(text.encode("utf-8"), SAV_VALUE_LABEL_MAX)
                size = (len(data) + 1 + 7) // 8 * 8 - 1
                write(struct.pack("<dB", float(value), len(data)) + data.ljust(size, b" "))
            write(struct.pack("<3i", 4, 1, var_index))
        self._extension(3, 4, struct.pack("<8i", 20, 0, 0, -1, 1, 1, 2, 65001))
        lowest = math.nextafter(-sys.float_info.max, 0)
        self._extension(4, 8, struct.pack("<3d", SAV_SYSMIS, sys.float_info.max, lowest))
        self._extension(11, 4, b"".join(struct.pack("<3i", *entry) for entry in display))
        long_names = "\t".join(
            f"{names[0]}={v.name[:SAV_NAME_MAX]}"
            for v, names in zip(self.variables, self.short_names, strict=True)
        )
        self._extension(13, 1, long_names.encode("utf-8"))
        very_long = "".join(
            f"{names[0]}={v.width:05d}\0\t"
            for v, names, s in zip(self.variables, self.short_names, self.segments, strict=True)
            if len(s) > 1
        )
        if very_long:
            self._extension(14, 1, very_long.encode("ascii"))
        self._extension(20, 1, b"UTF-8")
        write(struct.pack("<2i", 999, 0))

    def _variable(self, kind: int, name: str, form: int, label: bytes) -> None:
        record = struct.pack(
            "<6i8s", 2, kind, 1 if label else 0, 0, form, form, _pad(name.encode(), 8)
        )
        if label:
            record += struct.pack("<i", len(label)) + label.ljust((len(label) + 3) // 4 * 4)
        self.handle.write(record)

    def _extension(self, subtype: int, size: int, data: bytes) -> None:
        self.handle.write(struct.pack("<4i", 7, subtype, size, len(data) // size) + data)

    def _text_slots(self, variable: Variable, segments: list[int], value: Any) -> bytes:
        data = _text(value, variable.width, variable.name, cut=variable.name in self.wide)
        if len(segments) == 1:
            return data.ljust(_slots(segments[0]) * 8, b" ")
        pieces = [data[i * 255 : (i + 1) * 255].ljust(256, b" ") for i in range(len(segments) - 1)]
        pieces.append(data[(len(segments) - 1) * 255 :].ljust(_slots(segments[-1]) * 8, b" "))
        return b"".join(pieces)

    def write_row(self, values: Sequence[Any]) -> None:
        # Bytecode: blocks of 8 command bytes, each followed by the 8-byte values its commands
        # 253 announce; 1-251 a whole number (plus the bias), 254 eight blanks (a text's
        # padding), 255 missing, 0 nothing (the last block's padding). Each case starts a block.
        codes = bytearray()
        payloads: list[bytes] = []  # one per code, b"" when the code says it all
        code, payload = codes.append, payloads.append
        for (variable, segments, number), value in zip(self._plan, values, strict=True):
            if number is None:  # text: its bytes, 8 at a time, then blanks
                text = self._text_slots(variable, segments, value)
                used = (len(text.rstrip(b" ")) + 7) // 8
                blanks = len(text) // 8 - used
                codes += b"\xfd" * used + b"\xfe" * blanks
                payloads += [text[i : i + 8] for i in range(0, used * 8, 8)]
                payloads += [b""] * blanks
            elif value is None:
                code(255)
                payload(b"")
            else:
                x = number(value)
                if -SAV_BIAS < x < 252 - SAV_BIAS and x == int(x):
                    code(int(x) + SAV_BIAS)
                    payload(b"")
                else:
                    code(253)
                    payload(_DOUBLE(x))
        out = bytearray()
        for i in range(0, len(codes), 8):
            out += codes[i : i + 8].ljust(8, b"\0")
            out += b"".join(payloads[i : i + 8])
        self.handle.write(out)
        self.rows += 1

    def close(self) -> None:
        end = self.handle.tell()
        self.handle.seek(self._start + 80)  # the header's number of cases
        self.handle.write(struct.pack("<i", self.rows))
        self.handle.seek(end)


# --- Stata dta 118 -----------------------------------------------------------------------------

DTA_STR_MAX = 2045  # longer text is a strL
DTA_STRL = 32768
DTA_DOUBLE = 65526
DTA_MISSING: float = struct.unpack("<d", struct.pack("<Q", 0x7FE0000000000000))[0]  # "."
DTA_NAME = 129  # bytes: 32 characters of UTF-8 and a NUL
DTA_FORMAT = 57
DTA_LABEL = 321  # bytes: 80 characters of UTF-8 and a NUL
DTA_LABEL_CHARS = 80
DTA_GSO_ASCII = 130  # a strL's text, NUL-terminated
_DTA_FORMAT = {DATE: b"%td", DATETIME: b"%tc"}


def _or_missing(convert: Callable[[Any], float], value: Any) -> float:
    return DTA_MISSING if value is None else convert(value)


def _nul(text: bytes, size: int) -> bytes:
    return _cut(text, size - 1).ljust(size, b"\0")


class DtaWriter(Writer):
    """Stata dta 118 (Stata 14 and later), UTF-8. Numbers as doubles; text as str1-str2045,
    or strL when longer (kept in a temporary file until the data are written)."""

    def __init__(self, handle: IO[bytes], variables: Sequence[Variable], **kwargs: Any) -> None:
        super().__init__(handle, variables, **kwargs)
        self.strls: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 (closed in close())
        self.offsets: dict[str, int] = {}  # each section's, in the order of the file
        self._row, self._cells = self._plan()
        self._header()

    def _tag(self, name: str) -> None:
        self.offsets[name] = self.handle.tell() - self._start
        self.handle.write(f"<{name}>".encode())

    def _type(self, variable: Variable) -> int:
        if variable.type != TEXT:
            return DTA_DOUBLE
        return max(variable.width, 1) if variable.width <= DTA_STR_MAX else DTA_STRL

    def _header(self) -> None:
        write = self.handle.write
        count = len(self.variables)
        label = _cut(self.label.encode("utf-8"), DTA_LABEL - 1)
        t = self.now.astimezone(dt.UTC)
        stamp = f"{t.day:02d} {_MONTHS[t.month - 1].title()} {t:%Y %H:%M}".encode()
        self._tag("stata_dta")
        write(b"<header><release>118</release><byteorder>LSF</byteorder>")
        write(b"<K>" + struct.pack("<H", count) + b"</K><N>")
        self._n_at = self.handle.tell() - self._start
        write(struct.pack("<Q", 0) + b"</N>")
        write(b"<label>" + struct.pack("<H", len(label)) + label + b"</label>")
        write(b"<timestamp>" + struct.pack("<B", len(stamp)) + stamp + b"</timestamp></header>")
        self._tag("map")
        write(bytes(14 * 8) + b"</map>")  # the sections' offsets: written in close()
        self._tag("variable_types")
        write(b"".join(struct.pack("<H", self._type(v)) for v in self.variables))
        write(b"</variable_types>")
        self._tag("varnames")
        write(b"".join(_nul(v.name.encode(), DTA_NAME) for v in self.variables) + b"</varnames>")
        self._tag("sortlist")
        write(bytes(2 * (count + 1)) + b"</sortlist>")
        self._tag("formats")
        write(b"".join(_nul(self._format(v), DTA_FORMAT) for v in self.variables) + b"</formats>")
        self._tag("value_label_names")
        names = [v.name.encode() if v.value_labels else b"" for v in self.variables]
        write(b"".join(_nul(name, DTA_NAME) for name in names) + b"</value_label_names>")
        self._tag("variable_labels")
        labels = [v.label[:DTA_LABEL_CHARS].encode("utf-8") for v in self.variables]
        write(b"".join(_nul(text, DTA_LABEL) for text in labels) + b"</variable_labels>")
        self._tag("characteristics")
        write(b"</characteristics>")
        self._tag("data")

    def _format(self, variable: Variable) -> bytes:
        if variable.type == TEXT:
            return f"%{min(max(variable.width, 1), DTA_STR_MAX)}s".encode()
        return _DTA_FORMAT.get(variable.type, b"%9.0g" if variable.integer else b"%10.0g")

    def _plan(self) -> tuple[struct.Struct, list[Callable[[Any], Any]]]:
        """The row's layout (str# is NUL-padded by `struct`) and how each value becomes its
        argument."""
        layout = "<"
        cells: list[Callable[[Any], Any]] = []
        ms = dt.timedelta(milliseconds=1)
        for number, variable in enumerate(self.variables, start=1):
            if variable.type == TEXT and variable.width > DTA_STR_MAX:
                layout += "8s"
                cells.append(functools.partial(self._strl, number, variable))
            elif variable.type == TEXT:
                layout += f"{max(variable.width, 1)}s"
                cells.append(functools.partial(_text, width=variable.width, name=variable.name))
            else:
                layout += "d"
                # %tc counts milliseconds; a fraction keeps the microseconds.
                convert = _number(variable, SAS_EPOCH, day=1, tick=ms)
                cells.append(functools.partial(_or_missing, convert))
        return struct.Struct(layout), cells

    def _strl(self, number: int, variable: Variable, value: Any) -> bytes:
        """The reference to a strL, (variable, observation) in 2 and 6 bytes; its text waits
        for the strls section."""
        data = _text(value, variable.width, variable.name)
        if not data:
            return bytes(8)
        gso = struct.pack("<IQBI", number, self.rows, DTA_GSO_ASCII, len(data) + 1)
        self.strls.write(b"GSO" + gso + data + b"\0")
        return struct.pack("<H", number) + self.rows.to_bytes(6, "little")

    def write_row(self, values: Sequence[Any]) -> None:
        self.rows += 1
        args = [cell(value) for cell, value in zip(self._cells, values, strict=True)]
        self.handle.write(self._row.pack(*args))

    def close(self) -> None:
        write = self.handle.write
        write(b"</data>")
        self._tag("strls")
        self.strls.seek(0)
        shutil.copyfileobj(self.strls, self.handle)
        self.strls.close()
        write(b"</strls>")
        self._tag("value_labels")
        for variable in self.variables:
            if not variable.value_labels:
                continue
            labels = sorted(variable.value_labels)
            texts = [_cut(text.encode("utf-8"), 32000) + b"\0" for _value, text in labels]
            offsets = [sum(len(t) for t in texts[:i]) for i in range(len(texts))]
            table = struct.pack("<2i", len(labels), sum(len(t) for t in texts))
            table += struct.pack(f"<{len(labels)}i", *offsets)
            table += struct.pack(f"<{len(labels)}i", *(value for value, _text in labels))
            table += b"".join(texts)
            write(b"<lbl>" + struct.pack("<i", len(table)) + _nul(variable.name.encode(), DTA_NAME))
            write(bytes(3) + table + b"</lbl>")
        write(b"</value_labels>")
        self._tag("/stata_dta")
        end = self.handle.tell()
        # The map: each section's offset in the order the tags were written, then the end.
        offsets = [*self.offsets.values(), end - self._start]
        self.handle.seek(self._start + self._n_at)
        write(struct.pack("<Q", self.rows))
        self.handle.seek(self._start + self.offsets["map"] + len(b"<map>"))
        write(struct.pack("<14Q", *offsets))
        self.handle.seek(end)
