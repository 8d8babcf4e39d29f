import numpy as np
import pytest

from ichviewer.core.windowing import PRESETS, Window, apply_window, preset, scanner_window, window_stack


class TestApplyWindow:
    def test_brain_window_maps_level_to_mid_grey_and_clips(self):
        hu = np.array([-1000, 0, 40, 80, 3000], dtype=np.int16)
        assert apply_window(hu, PRESETS["brain"]).tolist() == [0, 0, 128, 255, 255]

    def test_matches_float_formula_over_whole_int16_range(self):
        hu = np.arange(-32768, 32768, 7, dtype=np.int16)
        window = Window(80, 200)
        expected = np.clip(np.rint((hu.astype(np.float64) - window.lower) * 255 / window.width), 0, 255)
        assert np.array_equal(apply_window(hu, window), expected.astype(np.uint8))

    def test_rejects_non_int16(self):
        with pytest.raises(TypeError, match="int16"):
            apply_window(np.zeros(3, np.float32), PRESETS["brain"])

    def test_keeps_shape(self):
        hu = np.zeros((2, 3, 4), np.int16)
        assert apply_window(hu, PRESETS["bone"]).shape == (2, 3, 4)


class TestWindowStack:
    def test_channels_in_given_order(self):
        hu = np.full((5, 6), 100, np.int16)
        stack = window_stack(hu, [PRESETS["brain"], PRESETS["subdural"], PRESETS["bone"]])
        assert stack.shape == (3, 5, 6)
        assert stack[0, 0, 0] == 255  # above the brain window
        assert stack[1, 0, 0] == apply_window(hu, PRESETS["subdural"])[0, 0]

    def test_batched(self):
        assert window_stack(np.zeros((4, 5, 6), np.int16), [PRESETS["brain"]] * 2).shape == (4, 2, 5, 6)


class TestPresets:
    @pytest.mark.parametrize(
        ("name", "level", "width"), [("brain", 40, 80), ("subdural", 80, 200), ("bone", 600, 2800), ("stroke", 40, 40)]
    )
    def test_values(self, name, level, width):
        assert (preset(name).level, preset(name).width) == (level, width)

    def test_unknown_preset_names_known_ones(self):
        with pytest.raises(KeyError, match="brain"):
            preset("lung")

    def test_scanner_window_ignores_unusable_values(self):
        assert scanner_window(None, 80) is None
        assert scanner_window(40, 0) is None
        assert scanner_window(40, 80) == Window(40, 80, "scanner")

    def test_custom_width_never_below_one(self):
        assert PRESETS["brain"].with_level_width(10, -5).width == 1
