"""Stored values of one file's frame: imagecodecs first (it releases the GIL), pydicom as fallback.

imagecodecs decodes JPEG (libjpeg-turbo, lossless .57/.70 included), JPEG-LS, JPEG 2000 and RLE
without holding the GIL, so a thread pool uses every core; anything it cannot do goes through pydicom's decoder
plugins (pylibjpeg). Each frame's own header is checked before decoding, any decoder failure
(Rust panics included, which are BaseExceptions) becomes UnreadablePixels, and the result must
be exactly Rows × Columns. Stored values are then masked to Bits Stored and sign-extended when
Pixel Representation says signed, as DICOM defines them, whatever the codec returned.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.uid import UID

from ichviewer.core.dicom.codestream import RLE_SYNTAX, check_frame, expected_kind
from ichviewer.core.dicom.pixel_data import frame_bytes, native_length_problem
from ichviewer.core.dicom.records import PixelLayout, SliceHeader
from ichviewer.core.dicom.walk import UnusableFile


class UnreadablePixels(UnusableFile):
    """Pixel data present in the header but not decodable; the message says why."""


def decode_stored(header: SliceHeader, *, prefer_imagecodecs: bool = True) -> np.ndarray:
    """The stored values (rows, columns) of one file, before rescale; UnreadablePixels if impossible.

    `prefer_imagecodecs=False` decodes compressed frames with pydicom's plugins only (the old
    path, kept for comparison in bench/load.py).
    """
    layout = header.layout
    if layout is None:
        raise UnreadablePixels("no pixel data location (a header made in memory)")
    try:
        data = frame_bytes(header.path, layout)
    except UnreadablePixels:
        raise
    except UnusableFile as problem:
        raise UnreadablePixels(str(problem)) from None
    if layout.encapsulated:
        try:
            check_frame(data, header.transfer_syntax, header.rows, header.columns, layout.bits_allocated, whole=True)
        except UnusableFile as problem:
            raise UnreadablePixels(str(problem)) from None
        decoded = _decode_frame(data, header, prefer_imagecodecs)
    else:
        wrong_length = native_length_problem(len(data), header.rows, header.columns, layout.bits_allocated)
        if wrong_length:
            raise UnreadablePixels(wrong_length)
        dtype = np.dtype(f"{'>' if layout.big_endian else '<'}u{layout.bits_allocated // 8}")
        decoded = np.frombuffer(data, dtype, count=header.rows * header.columns)
    return stored_values(decoded, header.rows, header.columns, layout)


def stored_values(decoded: np.ndarray, rows: int, columns: int, layout: PixelLayout) -> np.ndarray:
    """Decoded samples as DICOM stored values: exactly rows × columns, Bits Stored wide, signed if so declared."""
    if decoded.size != rows * columns or (decoded.ndim >= 2 and decoded.shape[-2:] != (rows, columns)):
        shape = "×".join(str(n) for n in reversed(decoded.shape)) or "nothing"
        raise UnreadablePixels(f"the frame decoded to {shape} samples; the header says {columns}×{rows}: refused")
    width = layout.bits_allocated
    unsigned = np.dtype(f"=u{width // 8}")
    if decoded.dtype.kind not in "ui":
        raise UnreadablePixels(f"the frame decoded to {decoded.dtype} values, not whole numbers")
    if decoded.dtype.itemsize > unsigned.itemsize and (
        int(decoded.min()) < -(1 << (width - 1)) or int(decoded.max()) >= 1 << width
    ):
        raise UnreadablePixels(f"the frame decoded to values that do not fit Bits Allocated ({width})")
    native = decoded.reshape(rows, columns)
    bits = native.view(unsigned) if native.dtype.itemsize == unsigned.itemsize and native.dtype.isnative else None
    if bits is None:
        bits = native.astype(unsigned)  # widening, narrowing and byte swapping; negatives wrap as two's complement
    shift = width - layout.bits_stored
    if shift:
        bits = bits & unsigned.type((1 << layout.bits_stored) - 1)
    if not layout.signed:
        return bits
    signed = np.dtype(f"=i{width // 8}")
    if not shift:
        return bits.view(signed)
    return (bits << unsigned.type(shift)).view(signed) >> signed.type(shift)


def _decode_frame(frame: bytes, header: SliceHeader, prefer_imagecodecs: bool) -> np.ndarray:
    """One compressed frame: by imagecodecs where it has a codec for the syntax, else by pydicom's plugins.

    A frame imagecodecs rejects is damaged, not unsupported: it is not handed on to the pylibjpeg
    plugins, whose Rust RLE decoder panics (and prints a backtrace) on damaged segments.
    """
    decoders = _imagecodecs_decoders(header) if prefer_imagecodecs else []
    first_error: BaseException | None = None
    for decoder in decoders or [_pydicom_decoder]:
        try:
            return decoder(frame, header)
        except (KeyboardInterrupt, SystemExit):
            raise
        except UnreadablePixels:
            raise
        except BaseException as error:  # noqa: B036 — Rust decoders panic with pyo3's PanicException (a BaseException)
            first_error = first_error or error
    raise UnreadablePixels(_decode_reason(header, first_error))


def _decode_reason(header: SliceHeader, error: BaseException | None) -> str:
    name = UID(header.transfer_syntax).name
    kind = type(error).__name__
    text = f"{kind}: {str(error).splitlines()[0][:160]}" if error is not None and str(error).strip() else kind
    return f"pixel data could not be decoded ({name}: {text}); the file may be truncated or damaged"


def _imagecodecs_decoders(header: SliceHeader) -> list[Callable[[bytes, SliceHeader], np.ndarray]]:
    """The imagecodecs functions for this file's syntax, in the order to try; [] when it has none."""
    try:
        import imagecodecs
    except ImportError:  # a slimmer install: pydicom's plugins do all the work
        return []
    kind = expected_kind(header.transfer_syntax)
    if kind == "JPEG":  # libjpeg-turbo: every process incl. lossless, every predictor; it checks its tables
        return [lambda frame, _: imagecodecs.jpeg8_decode(frame)]
    if kind == "JPEG-LS":
        return [lambda frame, _: imagecodecs.jpegls_decode(frame)]
    if kind == "JPEG 2000":
        return [lambda frame, _: imagecodecs.jpeg2k_decode(frame, numthreads=1)]
    if header.transfer_syntax == RLE_SYNTAX:
        return [_rle]
    return []


def _rle(frame: bytes, header: SliceHeader) -> np.ndarray:
    """RLE into an output of exactly Rows × Columns samples (segments may not decode to more)."""
    import imagecodecs

    assert header.layout is not None
    dtype = np.dtype(f">u{header.layout.bits_allocated // 8}")
    out = bytearray(header.rows * header.columns * dtype.itemsize)
    result = imagecodecs.dicomrle_decode(frame, dtype=dtype.str, out=out)
    if len(result) != len(out):
        raise UnreadablePixels(
            f"the RLE segments decode to {len(result):,} bytes; {header.columns}×{header.rows} pixels need {len(out):,}"
        )
    return np.frombuffer(out, dtype)


def _pydicom_decoder(frame: bytes, header: SliceHeader) -> np.ndarray:
    """The frame through pydicom's decoder plugins (pylibjpeg, GIL held): the fallback."""
    assert header.layout is not None
    layout = header.layout
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = UID(header.transfer_syntax)
    ds.Rows, ds.Columns = header.rows, header.columns
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored = layout.bits_allocated, layout.bits_stored
    ds.HighBit = layout.bits_stored - 1
    ds.PixelRepresentation = int(layout.signed)
    ds.NumberOfFrames = 1
    ds.PixelData = encapsulate([frame])
    return ds.pixel_array


def decoder_problem(transfer_syntax: str) -> str | None:
    """Why pixel data in this transfer syntax cannot be decoded here, or None if it can."""
    uid = UID(transfer_syntax)
    if not uid.is_transfer_syntax:
        return f"unknown transfer syntax {transfer_syntax}: no decoder can read its pixel data"
    if not uid.is_compressed:
        return None
    if _imagecodecs_decoder_exists(transfer_syntax):
        return None
    try:
        decoder = pydicom.pixels.get_decoder(uid)
    except NotImplementedError:
        return f"compressed as '{uid.name}', which no decoder supports"
    if not decoder.is_available:
        missing = "; ".join(decoder.missing_dependencies)
        return f"compressed as '{uid.name}', but no installed decoder reads it ({missing})"
    return None


def _imagecodecs_decoder_exists(transfer_syntax: str) -> bool:
    try:
        import imagecodecs  # noqa: F401
    except ImportError:
        return False
    return expected_kind(transfer_syntax) is not None
