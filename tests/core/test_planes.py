"""The cursor in mm and the image of each view through it: clicks and scrolls stay on their image, views follow."""

from __future__ import annotations

import numpy as np
import pytest

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.core.planes import Planes
from ichviewer.core.state import ViewerState


def opened(volume, tmp_path) -> ViewerState:  # type: ignore[no-untyped-def]
    state = ViewerState(auto_analyse=False)
    state.model_ready("test", "CPU", LABEL_KEYS)
    job = state.open_folder(tmp_path)
    state.load_done(job, volume)
    return state


class TestPlanes:
    def test_untilted_views_are_the_voxels_rows_and_columns(self, physical_heads) -> None:
        _, volume = physical_heads[0.0]
        planes = Planes()
        planes.reset(volume, (30, 70, 100))
        assert planes.indices == (30, 70, 100)
        planes.follow((31, 72, 90))
        assert planes.indices == (31, 72, 90)
        assert planes.cursor == pytest.approx(tuple(volume.patient_point(31, 72, 90)))

    def test_a_click_on_a_tilted_coronal_image_stays_on_it(self, physical_heads) -> None:
        _, volume = physical_heads[15.0]
        planes = Planes()
        planes.reset(volume, (32, 96, 96))
        coronal = planes.index("coronal") + 7
        voxel = planes.place("coronal", coronal, 40.0, 80.0)
        assert planes.index("coronal") == coronal and planes.index("sagittal") == 80
        assert voxel is not None and planes.index("axial") == voxel[0]
        clicked = planes.mpr.view_to_patient("coronal", coronal, 40.0, 80.0)  # type: ignore[union-attr]
        assert planes.cursor == pytest.approx(tuple(clicked))
        planes.follow(voxel)  # Dims.point reports the voxel: the cursor stays where it was clicked
        assert planes.cursor == pytest.approx(tuple(clicked)) and planes.index("coronal") == coronal

    @pytest.mark.parametrize("view", ["coronal", "sagittal"])
    def test_scrolling_a_reformat_moves_one_image_per_step(self, physical_heads, view) -> None:
        _, volume = physical_heads[15.0]
        planes = Planes()
        planes.reset(volume, (32, 96, 96))
        start = planes.index(view)
        for step in range(1, 6):
            planes.step(view, 1)
            assert planes.index(view) == start + step
        planes.step(view, -1000)
        assert planes.index(view) == 0

    def test_one_slice_has_no_reformat(self, make_volume) -> None:
        planes = Planes()
        planes.reset(make_volume(np.zeros((1, 8, 8), np.int16)), (0, 4, 4))
        assert planes.mpr is None and planes.indices == (0, 0, 0)
        assert planes.place("coronal", 0, 1.0, 1.0) is None and planes.step("sagittal", 1) is None


class TestStateCursor:
    def test_a_click_in_the_coronal_view_moves_the_axial_slice(self, physical_heads, tmp_path) -> None:
        phantom, volume = physical_heads[0.0]
        state = opened(volume, tmp_path)
        lesion = phantom.lesions[0]
        mpr = state.planes.mpr
        assert mpr is not None
        target = mpr.patient_to_view(np.array([lesion.x_mm, lesion.y_mm, lesion.z_mm]), "coronal")
        state.point_at("coronal", target.index, target.row, target.col)
        axial = mpr.patient_to_view(np.array([lesion.x_mm, lesion.y_mm, lesion.z_mm]), "axial")
        assert state.dims.slice == axial.index and state.planes.index("coronal") == target.index
        assert phantom.masks["intraparenchymal"][state.dims.point]

    def test_axial_scroll_moves_the_cursor_to_the_voxel_centre(self, physical_heads, tmp_path) -> None:
        _, volume = physical_heads[15.0]
        state = opened(volume, tmp_path)
        state.point_at("sagittal", state.planes.index("sagittal"), 30.5, 60.25)
        z = state.dims.slice
        state.step_view("axial", 1)
        assert state.dims.slice == z + 1
        assert state.planes.cursor == pytest.approx(tuple(volume.patient_point(*state.dims.point)))

    def test_scroll_and_show_in_a_reformat(self, physical_heads, tmp_path) -> None:
        _, volume = physical_heads[0.0]
        state = opened(volume, tmp_path)
        y = state.dims.point[1]
        state.step_view("coronal", 3)
        assert state.planes.index("coronal") == y + 3 and state.dims.point[1] == y + 3
        state.show_image("sagittal", 10)
        assert state.planes.index("sagittal") == 10 and state.dims.point[2] == 10
        state.show_image("axial", 5)
        assert state.dims.slice == 5 and state.planes.index("axial") == 5

    def test_closing_the_study_drops_the_grid(self, physical_heads, tmp_path) -> None:
        _, volume = physical_heads[0.0]
        state = opened(volume, tmp_path)
        state.open_folder(tmp_path / "other")
        assert state.planes.mpr is None
