"""The menu bar: every action and its key, each one a call into the viewer state or the window.

Each shortcut is listed in Help ▸ Keyboard shortcuts as it is added; checkable actions follow
the state (O, P, automatic analysis), so a key, a menu click and the settings always agree.
Shortcuts are the window's, whatever widget in it (or in a floating dock) has focus; the
level/width fields keep only digits and editing keys (`WindowControls`), and Escape hands the
keys back to the image from anywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu

from ichviewer.core.events import Event
from ichviewer.core.privacy import recent_entry
from ichviewer.core.settings import THEMES
from ichviewer.ui.window_controls import PRESET_KEYS

if TYPE_CHECKING:
    from ichviewer.ui.main_window import MainWindow

SLICE_KEYS = (("Next slice up", "Up", 1), ("Next slice down", "Down", -1), ("10 slices up", "PgUp", 10))
SLICE_KEYS += (("10 slices down", "PgDown", -10),)


class Menus:
    """Builds the window's menus; `shortcuts` lists (key, what it does) for the Help dialog."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.shortcuts: list[tuple[str, str]] = []
        self._file(window.menuBar().addMenu("&File"))
        self._view(window.menuBar().addMenu("&View"))
        self._slice(window.menuBar().addMenu("&Slice"))
        self._measure(window.menuBar().addMenu("&Measure"))
        if window.ai_dock is not None:
            self._ai(window.menuBar().addMenu("&AI"))
        self._help(window.menuBar().addMenu("&Help"))

    def add(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        keys: str | QKeySequence.StandardKey | None = None,
        help_text: str | None = None,
    ) -> QAction:
        """An action with an optional shortcut, listed in Help ▸ Keyboard shortcuts."""
        action = QAction(text, self.window)
        action.triggered.connect(lambda _=False: slot())
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
            shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            self.shortcuts.append((shown, help_text or text.replace("&", "").rstrip(".…")))
        menu.addAction(action)
        return action

    def toggle(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        keys: str | None,
        help_text: str | None,
        event: Event,
        checked: bool,
    ) -> QAction:
        """A checkable action, checked as the state's boolean `event` says."""
        action = self.add(menu, text, slot, keys, help_text)
        action.setCheckable(True)
        action.setChecked(checked)
        event.connect(action.setChecked)
        return action

    def _file(self, menu: QMenu) -> None:
        w = self.window
        self.add(menu, "&Open Folder…", w.choose_folder, QKeySequence.StandardKey.Open, "Open a folder")
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self.add(menu, "Show &load report…", w.show_load_report, "Ctrl+L", "Show the load report")
        if w.pdf_export is not None:
            export = self.add(menu, "&Export PDF summary…", w.pdf_export.choose, "Ctrl+E", "Export the PDF summary")
            export.setEnabled(False)
            w.state.events.ai.connect(lambda run: export.setEnabled(run.reportable))
        menu.addSeparator()
        self.add(menu, "&Quit", w.close, QKeySequence.StandardKey.Quit, "Quit")

    def _view(self, menu: QMenu) -> None:
        w, display = self.window, self.window.state.display
        for name, text, key in PRESET_KEYS:
            self.add(menu, f"{text} window", lambda n=name: w.state.apply_preset(n), key)
        menu.addSeparator()
        overlays = "Show / hide all overlays"
        self.overlays = self.toggle(
            menu,
            "Show &overlays",
            display.toggle_overlays,
            "O",
            overlays,
            display.events.show_overlays,
            display.show_overlays,
        )
        patient = "Show / hide patient details (screen sharing)"
        self.patient = self.toggle(
            menu,
            "Show &patient details",
            display.toggle_patient,
            "P",
            patient,
            display.events.show_patient,
            display.show_patient,
        )
        self.add(menu, "&Reset view", w.views.reset_view, "R", "Reset zoom and pan (fit to window)")
        mpr_text = "Axial view alone / axial beside coronal over sagittal"
        self.mpr = self.add(menu, "&MPR layout (axial, coronal, sagittal)", display.toggle_layout, "M", mpr_text)
        self.mpr.setCheckable(True)
        self.mpr.setChecked(display.layout == "mpr")
        display.events.layout.connect(lambda layout: self.mpr.setChecked(layout == "mpr"))
        menu.addAction(w.series_dock.toggleViewAction())
        self.add(
            menu,
            "&Image only",
            w.dock_layout.toggle,
            "Ctrl+B",
            "Hide / show the side panels (the image takes the window)",
        )
        theme_menu = menu.addMenu("&Theme")
        self.themes = QActionGroup(w)
        for name in THEMES:
            action = theme_menu.addAction(name.capitalize())
            action.setCheckable(True)
            action.setData(name)
            action.triggered.connect(lambda _=False, n=name: w.set_theme(n))
            self.themes.addAction(action)

    def _slice(self, menu: QMenu) -> None:
        w, state = self.window, self.window.state
        for text, keys, delta in SLICE_KEYS:
            self.add(menu, text, lambda d=delta: state.step(d), keys)
        self.add(menu, "First slice (bottom)", lambda: state.set_slice(0), "Home")
        self.add(menu, "Last slice (top)", lambda: state.set_slice(state.dims.n_slices - 1), "End")
        menu.addSeparator()
        self.add(menu, "Previous series", lambda: state.step_series(-1), "[", "Previous series (in the series list)")
        self.add(menu, "Next series", lambda: state.step_series(+1), "]", "Next series (in the series list)")
        self.add(menu, "Keys to the image", w.slice_view.setFocus, "Escape", "Give the keyboard back to the image")
        w.window_controls.finished.connect(w.slice_view.setFocus)

    def _measure(self, menu: QMenu) -> None:
        self.window.measure_tools.add_menu(self, menu, self.window.measure_toolbar)
        menu.addAction(self.window.measure_panel.toggleViewAction())

    def _ai(self, menu: QMenu) -> None:
        state, dock = self.window.state, self.window.ai_dock
        assert dock is not None
        self.add(menu, "&Next flagged slice", lambda: state.jump_flagged(+1), "N")
        self.add(menu, "&Previous flagged slice", lambda: state.jump_flagged(-1), "Shift+N")
        self.add(menu, "Toggle &heatmap", state.heatmap.toggle_visible, "H", "Show / hide the Grad-CAM heatmap")
        self.add(menu, "&Analyse again", lambda: state.analyse(use_cache=False))
        self.auto = self.toggle(
            menu,
            "Analyse studies when &opened",
            state.toggle_auto_analyse,
            None,
            None,
            state.events.auto_analyse,
            state.auto_analyse,
        )
        menu.addAction(dock.toggleViewAction())

    def _help(self, menu: QMenu) -> None:
        w = self.window
        self.add(menu, "&Keyboard shortcuts…", w.show_shortcuts, "F1", "Keyboard shortcuts")
        self.add(menu, "Show &log…", w.show_log)
        self.add(menu, "&About ichviewer…", w.show_about)

    def _fill_recent(self) -> None:
        """Recent folders, their paths hidden while the privacy toggle hides names (IDs are often in them)."""
        self.recent_menu.clear()
        show = self.window.state.display.show_patient
        for position, folder in enumerate(self.window.settings.recent, 1):
            action = self.recent_menu.addAction(recent_entry(folder, position, show))
            action.triggered.connect(lambda _=False, f=folder: self.window.open_folder(f))
        if not self.window.settings.recent:
            self.recent_menu.addAction("(none)").setEnabled(False)
