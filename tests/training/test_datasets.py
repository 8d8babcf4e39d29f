"""Readers on fixtures written here: RSNA (both CSV layouts), image folders, CQ500, phantom; real data counts."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from ichviewer.core.labels import LABEL_KEYS
from ichviewer.training.datasets import (
    Stack,
    as_volume,
    image_hu,
    label_vector,
    read_cq500,
    read_cq500_reads,
    read_grey,
    read_image_folder,
    read_phantom,
    read_rsna,
    read_rsna_labels,
    study_id,
)
from tests.conftest import shared_data
from tests.training.conftest import STUDIES, head_slice, write_png, write_study

ANY, IPH = LABEL_KEYS.index("any"), LABEL_KEYS.index("intraparenchymal")


class TestLabelVector:
    def test_known_and_unknown_labels(self):
        labels, mask = label_vector({"any": 1, "subdural": 0})
        assert labels.tolist() == [1, 0, 0, 0, 0, 0]
        assert mask.tolist() == [True, False, False, False, False, True]


class TestReadRsnaLabels:
    def test_stage_2_layout(self, tmp_path):
        path = tmp_path / "stage_2_train.csv"
        path.write_text(
            "ID,Label\n"
            + "".join(f"ID_abc_{k},{int(k in ('any', 'subdural'))}\n" for k in LABEL_KEYS)
            + "ID_def_any,0\n"
        )
        table = read_rsna_labels(path)
        assert table["ID_abc"] == ({k: int(k in ("any", "subdural")) for k in LABEL_KEYS}, None)
        assert table["ID_def"] == ({"any": 0}, None)

    def test_our_layout_keeps_the_study(self, tiny_data):
        table = read_rsna_labels(tiny_data[0] / "rsna_dicom" / "labels.csv")
        assert len(table) == 3 * len(STUDIES)
        assert table["ID_aaaa00001"] == ({k: int(k in ("any", "intraparenchymal")) for k in LABEL_KEYS}, "aaaa000001")


class TestReadRsna:
    def test_slices_in_position_order_with_their_labels(self, tiny_data):
        root = tiny_data[0] / "rsna_dicom"
        stacks = {s.group: s for s in read_rsna(root / "labels.csv", root)}
        assert sorted(stacks) == sorted(STUDIES)
        stack = stacks["aaaa000001"]
        assert stack.hu.shape == (4, 48, 48) and stack.volume is not None
        # files were written shuffled; the volume is ordered on z, labels follow their slices
        assert [s.index for s in stack.slices] == [0, 1, 2]  # slice 3 has no label row but stays in the stack
        assert [s.labels[ANY] for s in stack.slices] == [0, 1, 1]
        assert stack.hu[1, 16, 24] == 70 and stack.hu[0, 16, 24] == 30
        labels, known = stack.study_truth()
        assert labels[ANY] == 1 and labels[IPH] == 1 and known.all()

    def test_groups_filter_loads_only_those_studies(self, tiny_data):
        root = tiny_data[0] / "rsna_dicom"
        assert [s.group for s in read_rsna(root / "labels.csv", root, groups=["bbbb000002"])] == ["bbbb000002"]

    def test_stage_2_csv_matches_by_sop_instance_uid_and_study_from_header(self, tmp_path):
        slices = [head_slice(30), head_slice(30, blob=(16, 24))]
        write_study(tmp_path / "dicom", "feed000001", slices, ["ID_f0", "ID_f1"])
        for path in (tmp_path / "dicom" / "feed000001").iterdir():  # RSNA originals: SOP UID = image id, any name
            path.rename(path.with_name(f"x{path.stem}.dcm"))
        import pydicom
        from pydicom.config import disable_value_validation

        for path in (tmp_path / "dicom" / "feed000001").iterdir():
            ds = pydicom.dcmread(path)
            with disable_value_validation():
                ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = path.stem[1:]
                ds.save_as(path)
        (tmp_path / "stage_2_train.csv").write_text(
            "ID,Label\n"
            + "".join(f"ID_f{i}_{k},{int(i == 1 and k in ('any', 'epidural'))}\n" for i in (0, 1) for k in LABEL_KEYS)
        )
        (stack,) = read_rsna(tmp_path / "stage_2_train.csv", tmp_path / "dicom")
        assert stack.group == "feed000001"
        assert [(s.id, s.labels[LABEL_KEYS.index("epidural")]) for s in stack.slices] == [("ID_f0", 0), ("ID_f1", 1)]

    def test_study_id_strips_rsna_prefix(self):
        assert study_id("ID_74f2e4ee2b") == "74f2e4ee2b"
        assert study_id("1.2.3") == "1.2.3"


class TestReadImageFolder:
    def test_head_ct_layout_only_any_is_known(self, tiny_data):
        stacks = list(read_image_folder(tiny_data[0] / "head_ct", source="head_ct"))
        assert [s.group for s in stacks] == [f"{k:03d}" for k in range(12)]
        first = stacks[0].slices[0]
        assert first.labels[ANY] == 1 and first.mask.tolist() == [True, False, False, False, False, False]
        assert stacks[6].slices[0].labels[ANY] == 0
        assert stacks[5].hu.shape == (1, 60, 60)

    def test_rsna_png_layout_with_ids_filter(self, tiny_data):
        (stack,) = read_image_folder(tiny_data[0] / "rsna_png", source="rsna_png", ids=["ID_png0002"])
        assert stack.slices[0].mask.all() and stack.slices[0].labels[LABEL_KEYS.index("subdural")] == 1

    def test_missing_image_names_the_id(self, tmp_path):
        (tmp_path / "labels.csv").write_text("id, hemorrhage\n7,1\n")
        with pytest.raises(ValueError, match="'7' not found"):
            list(read_image_folder(tmp_path))


class TestImageHu:
    def test_brain_window_read_back_and_black_is_air(self, tmp_path):
        grey = np.array([[0, 9, 10, 128, 255]], dtype=np.uint8)
        write_png(tmp_path / "a.png", grey)
        hu = image_hu(tmp_path / "a.png")
        assert hu.dtype == np.int16 and hu.shape == (1, 1, 5)
        assert hu[0, 0].tolist() == [-1024, -1024, 3, 40, 80]

    def test_rgba_is_composited_on_black(self, tmp_path):
        from PIL import Image

        rgba = np.zeros((2, 2, 4), dtype=np.uint8)
        rgba[..., :3] = 200
        rgba[0, 0, 3] = 0  # transparent pixel: black, not 200
        rgba[1:, :, 3] = 255
        rgba[0, 1, 3] = 255
        Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
        assert read_grey(tmp_path / "a.png").tolist() == [[0, 200], [200, 200]]


class TestReadCq500:
    def _reads(self, path, votes):
        header = ["name", "Category"] + [
            f"R{r}:{k}" for r in (1, 2, 3) for k in ("ICH", "IPH", "IVH", "SDH", "EDH", "SAH")
        ]
        with open(path, "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for name, per_reader in votes.items():
                writer.writerow([name, "B1"] + [v for reader in per_reader for v in reader])

    def test_majority_vote(self, tmp_path):
        self._reads(
            tmp_path / "reads.csv", {"CQ500-CT-1": [[1, 1, 0, 0, 0, 0], [1, 0, 0, 1, 0, 0], [0, 1, 0, 1, 0, 0]]}
        )
        values, readers = read_cq500_reads(tmp_path / "reads.csv")["CQ500-CT-1"]
        assert readers == 3
        assert values == {
            "any": 1,
            "intraparenchymal": 1,
            "intraventricular": 0,
            "subdural": 1,
            "epidural": 0,
            "subarachnoid": 0,
        }

    def test_study_folders_matched_by_name(self, tmp_path):
        self._reads(
            tmp_path / "reads.csv",
            {"CQ500-CT-1": [[1, 1, 0, 0, 0, 0]] * 3, "CQ500-CT-2": [[0] * 6] * 3, "CQ500-CT-3": [[0] * 6] * 3},
        )
        write_study(tmp_path / "CQ500CT1 CQ500CT1" / "Unknown Study", "CT PLAIN", [head_slice(30)] * 3, ["a", "b", "c"])
        write_study(tmp_path / "CQ500CT2 CQ500CT2" / "Unknown Study", "CT PLAIN", [head_slice(30)] * 3, ["d", "e", "f"])
        stacks = list(read_cq500(tmp_path))  # CQ500-CT-3 has no folder: left out
        assert [s.group for s in stacks] == ["CQ500-CT-1", "CQ500-CT-2"]
        assert stacks[0].hu.shape == (3, 48, 48) and stacks[0].slices == ()
        labels, known = stacks[0].study_truth()
        assert labels[ANY] == 1 and labels[IPH] == 1 and known.all()

    def test_no_matching_folder(self, tmp_path):
        self._reads(tmp_path / "reads.csv", {"CQ500-CT-9": [[0] * 6] * 3})
        with pytest.raises(ValueError, match="none of the 1 studies"):
            list(read_cq500(tmp_path))


class TestReadPhantom:
    def test_every_slice_labelled_with_all_six(self):
        (stack,) = read_phantom([10_000], size=96)
        assert stack.group == "phantom-10000" and stack.hu.dtype == np.int16
        assert len(stack.slices) == stack.hu.shape[0]
        assert all(s.mask.all() for s in stack.slices)
        labels = np.stack([s.labels for s in stack.slices])
        assert ((labels[:, ANY] > 0) == (labels[:, 1:] > 0).any(axis=1)).all()


class TestAsVolume:
    def test_image_stack_becomes_a_one_slice_volume(self):
        hu = head_slice(30)[None]
        volume = as_volume(Stack("head_ct", "007", hu, ()))
        assert volume.n_slices == 1 and volume.hu is hu
        assert volume.series.patient_id == "007"


@pytest.mark.realdata
class TestRealData:
    def test_rsna_dicom_all_labelled_slices_found(self):
        root = shared_data("rsna_dicom")
        stacks = list(read_rsna(root / "labels.csv", root))
        assert len(stacks) == 20
        assert sum(len(s.slices) for s in stacks) == 698
        assert sum(int(sl.labels[ANY]) for s in stacks for sl in s.slices) == 48

    def test_image_sources(self):
        png = list(read_image_folder(shared_data("rsna_png"), source="rsna_png"))
        assert len(png) == 1163 and sum(int(s.slices[0].labels[ANY]) for s in png) == 538
        head = list(read_image_folder(shared_data("head_ct"), source="head_ct"))
        assert len(head) == 200 and sum(int(s.slices[0].labels[ANY]) for s in head) == 100
