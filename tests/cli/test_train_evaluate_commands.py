"""`ichviewer train` and `ichviewer evaluate` forward their options to the training modules."""

from __future__ import annotations

import pytest

from ichviewer.cli import main


class TestTrainCommand:
    def test_help_is_the_training_script_help(self, capsys):
        with pytest.raises(SystemExit) as exit_info:
            main(["train", "--help"])
        assert exit_info.value.code == 0
        out = capsys.readouterr().out
        assert "usage: ichviewer train" in out and "--pack" in out and "--resume" in out

    def test_missing_pack_is_an_error_naming_the_file(self, tmp_path, capsys):
        assert main(["train", "--pack", str(tmp_path / "none.npz"), "--out", str(tmp_path / "run")]) == 2
        assert "none.npz" in capsys.readouterr().err


class TestEvaluateCommand:
    def test_help(self, capsys):
        with pytest.raises(SystemExit):
            main(["evaluate", "--help"])
        assert "--write-card" in capsys.readouterr().out

    def test_missing_model_folder(self, tmp_path, capsys):
        assert main(["evaluate", "--model", str(tmp_path), "--data", str(tmp_path)]) == 2
        assert "model card not found" in capsys.readouterr().err
