"""Round trips: HU volume → DICOM (every syntax and storage variant) → load_folder_volume."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pydicom
import pytest

from ichviewer.core.synthetic.dicom_writer import SYNTAXES, available_syntaxes, series_uids, write_series
from ichviewer.core.synthetic.phantom import PhantomSpec, generate_phantom, write_phantom_study
from ichviewer.core.volume import load_folder_volume
from ichviewer.core.windowing import AIR_HU


@pytest.fixture(scope="module")
def small() -> np.ndarray:
    """8 slices of a 128² phantom with blood: realistic values, fast to write."""
    spec = PhantomSpec(seed=11, n_slices=8, size=128, pixel_mm=1.8, subtypes=("subdural", "intraparenchymal"))
    return generate_phantom(spec).hu


class TestAvailableSyntaxes:
    def test_all_named_syntaxes_are_known(self) -> None:
        names = available_syntaxes()
        assert set(names) <= set(SYNTAXES)
        assert {"explicit", "implicit", "big", "deflated"} <= set(names)


class TestWriteSeries:
    @pytest.mark.parametrize("syntax", available_syntaxes())
    def test_each_syntax_round_trips_exactly(self, small: np.ndarray, tmp_path: Path, syntax: str) -> None:
        paths = write_series(small, tmp_path / "s", syntax=syntax, spacing=(5.0, 1.8, 1.8))
        ds = pydicom.dcmread(paths[0])
        assert ds.file_meta.TransferSyntaxUID == SYNTAXES[syntax]
        assert ds.SOPClassUID == "1.2.840.10008.5.1.4.1.1.2"
        volume = load_folder_volume(tmp_path / "s")
        assert volume.hu.dtype == np.int16
        np.testing.assert_array_equal(volume.hu, small)
        assert not volume.report.skipped

    def test_shuffled_names_load_in_position_order(self, small: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(small, tmp_path / "s", file_names="shuffled", uid_seed=4)
        assert sorted(p.name for p in paths) != [p.name for p in paths]
        volume = load_folder_volume(tmp_path / "s")
        np.testing.assert_array_equal(volume.hu, small)
        assert [s.path for s in volume.slices] == paths

    def test_uid_names_have_no_extension(self, small: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(small, tmp_path / "s", file_names="uid")
        assert paths[0].name == str(pydicom.dcmread(paths[0]).SOPInstanceUID)

    @pytest.mark.parametrize("tilt", [12.0, -20.0])
    def test_tilt_is_measured_from_positions(self, small: np.ndarray, tmp_path: Path, tilt: float) -> None:
        write_series(small, tmp_path / "s", tilt_deg=tilt)
        volume = load_folder_volume(tmp_path / "s")
        assert volume.geometry.tilt_deg == pytest.approx(abs(tilt), abs=0.5)
        assert any("Gantry tilt" in w for w in volume.geometry.warnings)
        np.testing.assert_array_equal(volume.hu, small)

    def test_unsigned_with_intercept(self, small: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(small, tmp_path / "s", unsigned=True)
        ds = pydicom.dcmread(paths[0])
        assert (ds.PixelRepresentation, float(ds.RescaleIntercept)) == (0, -1024.0)
        assert ds.pixel_array.dtype == np.uint16
        np.testing.assert_array_equal(load_folder_volume(tmp_path / "s").hu, small)

    def test_slope_half_doubles_stored_values(self, small: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(small, tmp_path / "s", slope=0.5)
        np.testing.assert_array_equal(pydicom.dcmread(paths[0]).pixel_array, small[0].astype(np.int32) * 2)
        np.testing.assert_array_equal(load_folder_volume(tmp_path / "s").hu, small)

    def test_slope_that_loses_values_is_refused(self, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="multiples of slope"):
            write_series(np.full((2, 32, 32), 41, np.int16), tmp_path / "s", slope=2.0)

    def test_padding_outside_the_field_of_view_reads_as_air(self, small: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(small, tmp_path / "s", padding=-2000)
        ds = pydicom.dcmread(paths[0])
        assert ds.PixelPaddingValue == -2000
        assert ds.pixel_array[0, 0] == -2000 and ds.pixel_array[64, 64] == small[0, 64, 64]
        expected = small.copy()
        expected[:, ds.pixel_array == -2000] = AIR_HU
        np.testing.assert_array_equal(load_folder_volume(tmp_path / "s").hu, expected)

    def test_files_without_preamble(self, small: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(small, tmp_path / "s", preamble=False)
        assert paths[0].read_bytes()[128:132] != b"DICM"
        with pytest.raises(pydicom.errors.InvalidDicomError):
            pydicom.dcmread(paths[0])
        np.testing.assert_array_equal(load_folder_volume(tmp_path / "s").hu, small)

    def test_uids_are_deterministic_and_consistent(self, small: np.ndarray, tmp_path: Path) -> None:
        a = write_series(small, tmp_path / "a", uid_seed=5)
        b = write_series(small, tmp_path / "b", uid_seed=5)
        ds_a, ds_b = (pydicom.dcmread(p[0], stop_before_pixels=True) for p in (a, b))
        study, series, frame = series_uids(5)
        assert (ds_a.StudyInstanceUID, ds_a.SeriesInstanceUID, ds_a.FrameOfReferenceUID) == (study, series, frame)
        assert ds_a.SOPInstanceUID == ds_b.SOPInstanceUID
        uids = {str(pydicom.dcmread(p, stop_before_pixels=True).SOPInstanceUID) for p in a}
        assert len(uids) == len(a)

    def test_header_fields(self, small: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(small, tmp_path / "s", patient_name="DOE^JANE", series_number=7)
        ds = pydicom.dcmread(paths[3], stop_before_pixels=True)
        assert (str(ds.PatientName), ds.SeriesNumber, ds.InstanceNumber, ds.Manufacturer) == (
            "DOE^JANE",
            7,
            4,
            "ichviewer phantom",
        )
        assert (float(ds.WindowCenter), float(ds.WindowWidth), float(ds.SliceThickness)) == (40.0, 80.0, 5.0)
        assert [float(v) for v in ds.ImagePositionPatient][2] == pytest.approx(15.0)

    def test_never_overwrites(self, small: np.ndarray, tmp_path: Path) -> None:
        paths = write_series(small, tmp_path / "s")
        before = paths[0].read_bytes()
        with pytest.raises(FileExistsError):
            write_series(small + 1, tmp_path / "s")
        assert paths[0].read_bytes() == before

    def test_unknown_syntax_is_named(self, small: np.ndarray, tmp_path: Path) -> None:
        with pytest.raises(ValueError, match="jpeg-xl"):
            write_series(small, tmp_path / "s", syntax="jpeg-xl")


class TestPhantomStudyRoundTrip:
    def test_hu_and_ground_truth_come_back(self, phantom_series) -> None:
        folder, phantom = phantom_series
        volume = load_folder_volume(folder)
        np.testing.assert_array_equal(volume.hu, phantom.hu)
        assert not volume.report.skipped  # the sidecars are not reported as bad files
        truth = json.loads((folder / "ground_truth.json").read_text())
        by_uid = truth["by_sop_instance_uid"]
        for k, header in enumerate(volume.slices):
            labels = by_uid[header.sop_instance_uid]
            assert [labels[key] for key in truth["label_keys"]] == phantom.slice_labels[k].tolist()
        masks = np.load(folder / "ground_truth_masks.npz")
        np.testing.assert_array_equal(masks["subdural"], phantom.masks["subdural"])

    def test_tilted_phantom(self, tmp_path: Path) -> None:
        phantom = generate_phantom(PhantomSpec(seed=2, n_slices=8, size=128, pixel_mm=1.8, tilt_deg=15.0))
        volume = load_folder_volume(write_phantom_study(phantom, tmp_path / "t"))
        assert volume.geometry.tilt_deg == pytest.approx(15.0, abs=0.5)
        np.testing.assert_array_equal(volume.hu, phantom.hu)
