"""The 3-D cursor through the volume on screen (napari's Dims: shape and current point).

`point` is a voxel index (z, y, x) into `CTVolume.hu`; the axial view shows slice `point[0]`.
Reformatted views (MPR) show `point[1]` (coronal) and `point[2]` (sagittal), and a crosshair
is this point drawn in each view: one cursor links them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from ichviewer.core.events import EventedModel

Point = tuple[int, int, int]
AXIAL = 0


@dataclass(eq=False)
class Dims(EventedModel):
    """Shape (z, y, x) of the volume and the cursor in it; every change keeps the point inside."""

    shape: Point = (0, 0, 0)
    point: Point = (0, 0, 0)

    @property
    def slice(self) -> int:
        """The axial slice index (the point's z)."""
        return self.point[AXIAL]

    @property
    def n_slices(self) -> int:
        return self.shape[AXIAL]

    def reset(self, shape: Point, point: Point | None = None) -> None:
        """A new volume: its shape, and the point (default: the centre voxel)."""
        self.shape = (int(shape[0]), int(shape[1]), int(shape[2]))
        self.point = self._clamped(point if point is not None else (shape[0] // 2, shape[1] // 2, shape[2] // 2))

    def set_point(self, z: int | None = None, y: int | None = None, x: int | None = None) -> None:
        """Move the cursor; axes left as None keep their value; out-of-range values are clamped."""
        old = self.point
        self.point = self._clamped((old[0] if z is None else z, old[1] if y is None else y, old[2] if x is None else x))

    def step(self, delta: int, axis: int = AXIAL) -> None:
        """Move `delta` voxels along `axis` (wheel, arrow keys), stopping at the ends."""
        point = list(self.point)
        point[axis] += int(delta)
        self.point = self._clamped((point[0], point[1], point[2]))

    def _clamped(self, point: tuple[int, int, int]) -> Point:
        z, y, x = (min(max(int(p), 0), max(n - 1, 0)) for p, n in zip(point, self.shape, strict=True))
        return (z, y, x)
