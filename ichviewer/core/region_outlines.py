"""Where a seeded region lies on any view: its outline on an axial slice or a coronal/sagittal reformat.

The region is grown again from its measurement's settings (once per measurement and volume: the
last few are kept) and its mask is reformatted like the image, nearest neighbour, so the outline
on every image follows exactly the voxels that were counted.
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from ichviewer.core.bleed_estimates import grown
from ichviewer.core.bleed_volume import SeededRegion
from ichviewer.core.measure import Measurement
from ichviewer.core.mpr import Mpr, View
from ichviewer.core.outline import mask_outlines
from ichviewer.core.volume import CTVolume

KEPT = 8  # regions kept grown


class RegionOutlines:
    """Outlines of seeded-region measurements per image, growing each region once."""

    def __init__(self) -> None:
        self._volume: CTVolume | None = None
        self._regions: OrderedDict[Measurement, tuple[SeededRegion, np.ndarray | None]] = OrderedDict()

    def region(self, volume: CTVolume, m: Measurement) -> SeededRegion:
        return self._entry(volume, m)[0]

    def outlines(self, volume: CTVolume, mpr: Mpr | None, m: Measurement, view: View, index: int) -> list[np.ndarray]:
        """Closed polygons (k, 2) of (row, col) image pixels around the region on image `index` of `view`."""
        region, mask = self._entry(volume, m)
        if view == "axial":
            return region.outlines().get(index, []) if index in region.slices else []
        if mpr is None:
            return []
        if mask is None:
            mask = np.zeros(volume.hu.shape, dtype=bool)  # pages outside the box are never touched
            mask[region.box.window] = region.mask
            self._regions[m] = (region, mask)
        plane = mpr.plane(mask, view, index, order=0)
        return mask_outlines(plane.image & ~plane.missing)

    def _entry(self, volume: CTVolume, m: Measurement) -> tuple[SeededRegion, np.ndarray | None]:
        if volume is not self._volume:
            self._volume = volume
            self._regions.clear()
        entry = self._regions.get(m)
        if entry is None:
            entry = self._regions[m] = (grown(volume, m), None)
            while len(self._regions) > KEPT:
                self._regions.popitem(last=False)
        self._regions.move_to_end(m)
        return entry
