"""Typed header values, each checked before use: present, the right type and count, finite, in range.

A getter either returns a value that can be used as is, or raises UnusableFile naming the
attribute, its tag and what is wrong with it (never an exception from pydicom or numpy).
Optional attributes that only describe (window, thickness, numbers) read as None when bad.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from functools import cache
from typing import Any

from pydicom.datadict import dictionary_description, dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue

from ichviewer.core.dicom.walk import UnusableFile

MAX_TEXT = 256
_MISSING = object()


def describe(keyword: str) -> str:
    """'Rescale Slope (0028,1053)' for 'RescaleSlope'."""
    tag = _tag(keyword)
    return f"{dictionary_description(tag)} ({tag >> 16:04X},{tag & 0xFFFF:04X})"


_STRING_VRS = {"AE", "AS", "CS", "DA", "DS", "DT", "IS", "TM", "UI"}  # ASCII by definition: read raw
_BINARY = {"US": "H", "SS": "h", "UL": "L", "SL": "l", "FL": "f", "FD": "d", "US or SS": "H"}


@cache
def _tag(keyword: str) -> int:
    tag = tag_for_keyword(keyword)
    if tag is None:
        raise KeyError(keyword)
    return tag


def _raw(ds: Dataset, keyword: str) -> Any:
    """The value, _MISSING when absent; numbers and codes are read from the raw bytes (fast, no pydicom
    conversion), text with a character set through pydicom; unreadable values raise UnusableFile."""
    tag = _tag(keyword)
    try:
        element = ds.get_item(tag)
        if element is None:
            return _MISSING
        if isinstance(element, RawDataElement):
            vr = element.VR if element.VR not in (None, "UN") else dictionary_VR(tag)
            if vr in _STRING_VRS:
                return _split(element.value)
            if vr in _BINARY:
                return _unpack(element.value, _BINARY[vr], element.is_little_endian)
        return ds[tag].value
    except UnusableFile:
        raise
    except Exception as error:  # pydicom raises many types converting a damaged value
        raise UnusableFile(f"{describe(keyword)} cannot be read ({type(error).__name__})") from None


def _split(value: bytes | None) -> list[str] | str:
    if not value:
        return ""
    parts = value.decode("latin-1").strip("\x00 ").split("\\")
    return [part.strip("\x00 ") for part in parts] if len(parts) > 1 else parts[0].strip("\x00 ")


def _unpack(value: bytes | None, code: str, little: bool) -> list[int | float] | str:
    if not value:
        return ""
    size = struct.calcsize(code)
    if len(value) % size:
        raise UnusableFile(f"a binary value of {len(value)} bytes is not a whole number of {size}-byte values")
    return list(struct.unpack(f"{'<' if little else '>'}{len(value) // size}{code}", value))


def _shown(value: Any) -> str:
    text = repr(value if not isinstance(value, MultiValue) else list(value))
    return text if len(text) <= 40 else text[:37] + "…"


def _values(ds: Dataset, keyword: str) -> list[Any] | None:
    """The value as a list (one item for a single value), None when absent, [] when empty."""
    value = _raw(ds, keyword)
    if value is _MISSING or value is None:
        return None if value is _MISSING else []
    if isinstance(value, (MultiValue, list, tuple)):
        return list(value)
    if isinstance(value, str) and not value.strip():
        return []
    if isinstance(value, (bytes, bytearray)):
        return [value] if value else []
    return [value]


def _as_float(value: Any) -> float | None:
    if isinstance(value, (bytes, bytearray, bool)):
        return None
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def numbers(
    ds: Dataset,
    keyword: str,
    count: int,
    low: float,
    high: float,
    *,
    integer: bool = False,
    required: bool = False,
) -> tuple[float, ...] | None:
    """`count` finite numbers in [low, high]; None when absent (UnusableFile if `required`)."""
    values = _values(ds, keyword)
    name = describe(keyword)
    if values is None:
        if required:
            raise UnusableFile(f"{name} is missing")
        return None
    if not values:
        raise UnusableFile(f"{name} is present but empty")
    if len(values) != count:
        expected = "one value" if count == 1 else f"{count} values"
        raise UnusableFile(f"{name} has {len(values)} value{'s' if len(values) != 1 else ''}, expected {expected}")
    result = []
    for value in values:
        number = _as_float(value)
        if number is None:
            raise UnusableFile(f"{name} is {_shown(value)}: not a finite number")
        if integer and not number.is_integer():
            raise UnusableFile(f"{name} is {_shown(value)}: not a whole number")
        if not low <= number <= high:
            raise UnusableFile(f"{name} is {_shown(value)}: outside {low:g}…{high:g}")
        result.append(number)
    return tuple(result)


def number(ds: Dataset, keyword: str, low: float, high: float, *, required: bool = False) -> float | None:
    """One finite number in [low, high]; None when absent."""
    values = numbers(ds, keyword, 1, low, high, required=required)
    return None if values is None else values[0]


def integer(ds: Dataset, keyword: str, low: int, high: int, *, required: bool = False) -> int | None:
    """One whole number in [low, high]; None when absent."""
    values = numbers(ds, keyword, 1, low, high, integer=True, required=required)
    return None if values is None else int(values[0])


def optional_number(ds: Dataset, keyword: str, low: float, high: float) -> float | None:
    """A descriptive number (window, thickness, tilt): None when absent or not usable."""
    try:
        values = _values(ds, keyword)
    except UnusableFile:
        return None
    number = _as_float(values[0]) if values else None
    return number if number is not None and low <= number <= high else None


def optional_integer(ds: Dataset, keyword: str, low: int, high: int) -> int | None:
    value = optional_number(ds, keyword, low, high)
    return int(value) if value is not None and value.is_integer() else None


def text(ds: Dataset, keyword: str) -> str:
    """A descriptive text: '' when absent or unreadable, multiple values joined by '\\', at most MAX_TEXT characters."""
    try:
        values = _values(ds, keyword)
    except UnusableFile:
        return ""
    if not values:
        return ""
    joined = "\\".join(v.decode("latin-1", "replace") if isinstance(v, bytes) else str(v) for v in values)
    cleaned = "".join(c if c.isprintable() else " " for c in joined).strip()
    return cleaned[:MAX_TEXT]


def texts(ds: Dataset, keyword: str) -> tuple[str, ...]:
    """Each value of a multi-valued code string, upper case (e.g. Image Type)."""
    value = text(ds, keyword)
    return tuple(v.strip().upper() for v in value.split("\\")) if value else ()


def first_present(ds: Dataset, keywords: Sequence[str]) -> str:
    """The text of the first of `keywords` that has one."""
    return next((value for value in (text(ds, k) for k in keywords) if value), "")
