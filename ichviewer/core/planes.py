"""The image each view shows: the cursor as a patient point and the axial, coronal and sagittal images through it.

`Dims.point` is the voxel under the cursor; the cursor itself is a patient point (mm) so that a
click or a scroll in a reformatted view stays exactly on that view's image (a voxel centre of a
tilted stack lies between reformat planes). When something else moves `Dims.point` (the axial
scroll, a flagged-slice jump) the cursor goes to that voxel's centre. `indices` are the images
through the cursor, in `VIEWS` order; views subscribe to `events.indices`. No volume, or one
slice (nothing to reformat): `mpr` is None and only the axial index follows the voxel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ichviewer.core.events import EventedModel
from ichviewer.core.mpr import VIEWS, Mpr, View
from ichviewer.core.volume import CTVolume

Voxel = tuple[int, int, int]
Point3 = tuple[float, float, float]


@dataclass(eq=False)
class Planes(EventedModel):
    """The volume's reformat grid, the cursor (patient mm) and the image index of each view through it."""

    mpr: Mpr | None = None
    cursor: Point3 = (0.0, 0.0, 0.0)
    indices: tuple[int, int, int] = (0, 0, 0)  # axial slice, coronal plane, sagittal plane

    def reset(self, volume: CTVolume | None, voxel: Voxel) -> None:
        """A new volume (None: none on screen); the cursor at `voxel`."""
        self.mpr = Mpr.from_volume(volume) if volume is not None and volume.n_slices >= 2 else None
        self._move(self._centre(voxel), voxel[0])

    def index(self, view: View) -> int:
        return self.indices[VIEWS.index(view)]

    def follow(self, voxel: Voxel) -> None:
        """`Dims.point` moved: keep the cursor when `voxel` is still its nearest, else go to the voxel's centre."""
        if self.mpr is not None and self.mpr.nearest_voxel(np.array(self.cursor)) == tuple(voxel):
            return
        self._move(self._centre(voxel), voxel[0])

    def place(self, view: View, index: int, row: float, col: float) -> Voxel | None:
        """Put the cursor at a pixel of image `index` of `view` (a click); returns the voxel for `Dims.point`."""
        if self.mpr is None:
            return None
        point = self.mpr.view_to_patient(view, index, row, col)
        voxel = self.mpr.nearest_voxel(point)
        self._move(point, voxel[0])
        return voxel

    def step(self, view: View, delta: int) -> Voxel | None:
        """Move the cursor `delta` images through a coronal or sagittal view (wheel); the voxel for `Dims.point`."""
        if self.mpr is None or view == "axial":
            return None
        target = self.mpr.patient_to_view(np.array(self.cursor), view).index + delta
        return self.show(view, int(np.clip(target, 0, self.mpr.n_planes(view) - 1)))

    def show(self, view: View, index: int) -> Voxel | None:
        """Go to image `index` of a coronal or sagittal view, keeping the cursor's place in the image."""
        if self.mpr is None or view == "axial":
            return None
        here = self.mpr.patient_to_view(np.array(self.cursor), view)
        return self.place(view, index, here.row, here.col)

    def _centre(self, voxel: Voxel) -> np.ndarray:
        if self.mpr is None:
            return np.zeros(3)
        return self.mpr.view_to_patient("axial", voxel[0], voxel[1], voxel[2])

    def _move(self, point: np.ndarray, axial: int) -> None:
        self.cursor = (float(point[0]), float(point[1]), float(point[2]))
        if self.mpr is None:
            self.indices = (axial, 0, 0)
            return
        coronal = self.mpr.patient_to_view(point, "coronal").index
        sagittal = self.mpr.patient_to_view(point, "sagittal").index
        self.indices = (axial, coronal, sagittal)
