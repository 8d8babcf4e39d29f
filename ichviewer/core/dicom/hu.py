"""Stored values to Hounsfield units, refusing slices whose values no CT image has.

HU = stored × (0028,1053) Rescale Slope + (0028,1052) Rescale Intercept, in float for fractional
slopes (a floor to integer would give a black image); (0028,0120) Pixel Padding Value and
anything below −1024 HU become air; the result is int16. A slice where most pixels lie outside
what CT produces (a wrong Pixel Representation, Bits Stored or rescale) is refused, not shown.
"""

from __future__ import annotations

import numpy as np

from ichviewer.core.dicom.decode import UnreadablePixels
from ichviewer.core.dicom.records import SliceHeader
from ichviewer.core.windowing import AIR_HU

MAX_HU = int(np.iinfo(np.int16).max)
CT_HIGHEST = 3071
CT_LOWEST = AIR_HU - 100  # air reads −1000 ± noise; padding outside the scan circle (−2000, −3024) counts
MAX_IMPOSSIBLE_FRACTION = 0.5


def stored_to_hu(stored: np.ndarray, header: SliceHeader) -> np.ndarray:
    """int16 HU of one slice's stored values; UnreadablePixels when most of them are impossible for CT."""
    slope, intercept = header.rescale_slope, header.rescale_intercept
    hu: np.ndarray
    if slope == 1.0 and float(intercept).is_integer():
        hu = stored.astype(np.int32)
        hu += int(intercept)
    else:
        hu = np.rint(stored.astype(np.float32) * np.float32(slope) + np.float32(intercept))
    padded = None
    if header.pixel_padding is not None:
        low, high = sorted(header.pixel_padding)
        padded = (stored >= low) & (stored <= high)
    if hu.size and (hu.min() < CT_LOWEST or hu.max() > CT_HIGHEST):
        impossible = (hu < CT_LOWEST) | (hu > CT_HIGHEST)
        if padded is not None:
            impossible &= ~padded
        fraction = np.count_nonzero(impossible) / hu.size
        if fraction > MAX_IMPOSSIBLE_FRACTION:
            raise UnreadablePixels(
                f"{fraction:.0%} of its pixels are outside {AIR_HU}…{CT_HIGHEST} HU after rescale "
                f"(slope {slope:g}, intercept {intercept:g}): values no CT slice has (wrong Pixel Representation, "
                "Bits Stored or rescale?)"
            )
    if padded is not None:
        hu[padded] = AIR_HU
    np.clip(hu, AIR_HU, MAX_HU, out=hu)
    return hu.astype(np.int16)
