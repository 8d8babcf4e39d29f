"""The main window: slice view + slider, window controls, series dock, menus, status bar.

It only displays state and forwards intent: loading runs in ui.workers.StudyLoader, windowing
and geometry in core. The right-hand dock area is left free for the AI widgets; the lead hooks
them to `volumeLoaded`, `slice_view`, `slider` and `status_bar`.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, Qt, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QProgressBar,
    QToolBar,
    QWidget,
)

from ichviewer.core.dicom.records import Series, StudyIndex
from ichviewer.core.load_report import LoadReport
from ichviewer.core.settings import LoadedSettings, Settings, load_settings, save_settings
from ichviewer.core.volume import CTVolume
from ichviewer.core.windowing import PRESETS, Window
from ichviewer.ui.help_dialogs import ShortcutsDialog, show_about
from ichviewer.ui.icon import app_icon
from ichviewer.ui.load_report_dialog import LoadReportDialog
from ichviewer.ui.series_panel import SeriesPanel
from ichviewer.ui.slice_slider import SliceSlider
from ichviewer.ui.slice_view import SliceView
from ichviewer.ui.theme import THEMES, apply_theme
from ichviewer.ui.window_controls import PRESET_KEYS, WindowControls
from ichviewer.ui.workers import StudyLoader

RESEARCH_NOTICE = "Research use only — not for clinical use"
APP_TITLE = "ichviewer"


class MainWindow(QMainWindow):
    """The viewer window; `open_folder(path)` is what File ▸ Open, recent, drop and the CLI call."""

    volumeLoaded = Signal(object)  # CTVolume
    studyCleared = Signal()  # the shown volume is going away (another study or series is opening)

    def __init__(
        self,
        loaded: LoadedSettings | None = None,
        device: str | None = None,
        ai: bool = True,
        model_dir: str | None = None,
    ) -> None:
        super().__init__()
        loaded = loaded or load_settings()
        self.settings: Settings = loaded.settings
        if device:
            self.settings.device = device
        self.volume: CTVolume | None = None
        self.index: StudyIndex | None = None
        self.folder = ""
        self.report = LoadReport()
        self._new_study = True  # the next loaded volume gets the default window
        self._shortcuts: list[tuple[str, str]] = []
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowNestedDocks)

        self.slice_view = SliceView()
        self.slice_view.graphics.setAcceptDrops(False)  # drops reach the window
        self.slider = SliceSlider()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.slice_view, 1)
        row.addWidget(self.slider)
        self.setCentralWidget(central)

        self.window_controls = WindowControls()
        toolbar = QToolBar("Window")
        toolbar.setObjectName("windowToolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.window_controls)
        self.addToolBar(toolbar)

        self.series_panel = SeriesPanel()
        self.series_dock = QDockWidget("Series", self)
        self.series_dock.setObjectName("seriesDock")
        self.series_dock.setWidget(self.series_panel)
        self.series_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.series_dock)

        self.status_bar = self.statusBar()
        self.status_message = QLabel()
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.hide()
        notice = QLabel(RESEARCH_NOTICE)
        notice.setObjectName("researchNotice")
        self.status_bar.addWidget(self.status_message, 1)
        self.status_bar.addPermanentWidget(self.progress_bar)
        self.status_bar.addPermanentWidget(notice)

        self.loader = StudyLoader(self)
        self._connect()
        self._build_menus()
        self.ai = None
        if ai:
            from ichviewer.ui.ai_overlay import AIOverlay

            self.ai = AIOverlay(self, model_dir)
        self._apply_settings()
        if loaded.warning:
            self.show_status(loaded.warning)

    # --- wiring ------------------------------------------------------------------------------
    def _connect(self) -> None:
        view = self.slice_view
        view.sliceChanged.connect(self._on_slice_changed)
        view.windowChanged.connect(self.window_controls.set_window)
        self.slider.valueChanged.connect(view.set_index)
        self.window_controls.presetRequested.connect(self.apply_preset)
        self.window_controls.windowRequested.connect(view.set_window)
        self.series_panel.seriesRequested.connect(self.open_series)
        self.loader.indexed.connect(self._on_indexed)
        self.loader.firstSlice.connect(self._on_first_slice)
        self.loader.progress.connect(self._on_progress)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.thumbnail.connect(self.series_panel.set_thumbnail)
        self.loader.failed.connect(self._on_failed)
        self.loader.empty.connect(self._on_empty)
        self.loader.busyChanged.connect(self._on_busy)

    def add_action(
        self,
        menu: QMenu | None,
        text: str,
        slot: Callable[[], object],
        keys: str | QKeySequence.StandardKey | None = None,
        help_text: str | None = None,
        before: QAction | None = None,
    ) -> QAction:
        """An action with an optional shortcut, listed in Help ▸ Keyboard shortcuts."""
        action = QAction(text, self)
        action.triggered.connect(lambda _=False: slot())
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
            shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            self._shortcuts.append((shown, help_text or text.replace("&", "").rstrip(".…")))
        if before is not None and menu is not None:
            menu.insertAction(before, action)
        else:
            (menu or self).addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.file_menu = file_menu
        self.add_action(file_menu, "&Open Folder…", self.choose_folder, QKeySequence.StandardKey.Open, "Open a folder")
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.add_action(file_menu, "Show &load report…", self.show_load_report, "Ctrl+L", "Show the load report")
        self.file_menu_anchor = file_menu.addSeparator()
        self.add_action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit, "Quit")

        view_menu = bar.addMenu("&View")
        self.view_menu = view_menu
        for name, text, key in PRESET_KEYS:
            self.add_action(view_menu, f"{text} window", lambda n=name: self.apply_preset(n), key)
        view_menu.addSeparator()
        self.overlays_action = self.add_action(
            view_menu, "Show &overlays", self.toggle_overlays, "O", "Show / hide all overlays"
        )
        self.overlays_action.setCheckable(True)
        self.patient_action = self.add_action(
            view_menu, "Show &patient details", self.toggle_patient, "P", "Show / hide patient details (screen sharing)"
        )
        self.patient_action.setCheckable(True)
        self.add_action(view_menu, "&Reset view", self.slice_view.reset_view, "R", "Reset zoom and pan (fit to window)")
        view_menu.addAction(self.series_dock.toggleViewAction())
        theme_menu = view_menu.addMenu("&Theme")
        self.theme_actions = QActionGroup(self)
        for name in THEMES:
            action = theme_menu.addAction(name.capitalize())
            action.setCheckable(True)
            action.setData(name)
            action.triggered.connect(lambda _=False, n=name: self.set_theme(n))
            self.theme_actions.addAction(action)

        slice_menu = bar.addMenu("&Slice")
        for text, keys, delta in (
            ("Next slice up", "Up", 1),
            ("Next slice down", "Down", -1),
            ("10 slices up", "PgUp", 10),
            ("10 slices down", "PgDown", -10),
        ):
            self.add_action(slice_menu, text, lambda d=delta: self.slice_view.step(d), keys)
        self.add_action(slice_menu, "First slice (bottom)", lambda: self.slice_view.set_index(0), "Home")
        self.add_action(
            slice_menu, "Last slice (top)", lambda: self.slice_view.set_index(self.slice_view.n_slices - 1), "End"
        )

        help_menu = bar.addMenu("&Help")
        self.help_menu = help_menu
        self.add_action(help_menu, "&Keyboard shortcuts…", self.show_shortcuts, "F1", "Keyboard shortcuts")
        self.add_action(help_menu, "&About ichviewer…", lambda: show_about(self))

    def _apply_settings(self) -> None:
        s = self.settings
        if s.window_geometry_b64:
            self.restoreGeometry(QByteArray(base64.b64decode(s.window_geometry_b64)))
        else:
            self.resize(1400, 900)
        self.overlays_action.setChecked(s.show_overlays)
        self.patient_action.setChecked(s.show_patient_overlay)
        self.slice_view.set_overlays_visible(s.show_overlays)
        self.slice_view.set_patient_visible(s.show_patient_overlay)
        self.slice_view.set_window(self._default_window(None))
        self.set_theme(s.theme)

    def _store_settings(self) -> None:
        s = self.settings
        s.window_geometry_b64 = base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii")
        s.show_overlays = self.slice_view.overlays_visible
        s.show_patient_overlay = self.slice_view.patient_visible
        save_settings(s)

    # --- opening -----------------------------------------------------------------------------
    def choose_folder(self) -> None:
        start = self.settings.last_folder or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Open a folder with a CT study", start)
        if folder:
            self.open_folder(folder)

    def open_folder(self, folder: str | Path) -> None:
        """Index and load `folder` in the background; a load in progress is cancelled."""
        self.folder = str(Path(folder).expanduser())
        self.settings.add_recent(self.folder)
        self.index = None
        self.volume = None
        self.studyCleared.emit()
        self.report = LoadReport()
        self._new_study = True
        self.series_panel.clear()
        self.slider.set_count(0)
        self.slice_view.clear()
        self.setWindowTitle(APP_TITLE)
        self.show_status(f"Opening {self.folder}…")
        self.loader.open_folder(self.folder)

    def open_series(self, series: Series) -> None:
        """Switch to another series of the open study."""
        if self.index is None or (self.volume is not None and self.volume.series.uid == series.uid):
            return
        self.volume = None
        self.studyCleared.emit()
        self.show_status(f"Loading {series.title}…")
        self.loader.load_series(self.index, series)

    def _on_indexed(self, index: StudyIndex) -> None:
        self.index = index
        self.report = LoadReport(index.skipped)
        self.series_panel.set_index(index)

    def _on_first_slice(self, slice_index: int, hu: np.ndarray, series: Series) -> None:
        if self.slice_view.volume is None or self.slice_view.volume.series.uid != series.uid:
            self.slice_view.show_preview(hu, series, slice_index)
        self.series_panel.set_current(series.uid)
        self.setWindowTitle(f"{APP_TITLE} — {series.description or series.title}")

    def _on_loaded(self, volume: CTVolume) -> None:
        window = self._default_window(volume) if self._new_study else self.slice_view.window
        self._new_study = False
        self.volume = volume
        self.report = volume.report
        self.slider.blockSignals(True)
        self.slider.set_count(volume.n_slices)
        self.slider.blockSignals(False)
        self.slice_view.set_volume(volume, window)
        self.series_panel.set_current(volume.series.uid)
        self.setWindowTitle(f"{APP_TITLE} — {volume.series.description or volume.series.title}")
        problems = f"  ({len(volume.report.lines())} problems: File ▸ Show load report)" if volume.report else ""
        self.show_status(f"{volume.series.title}: {volume.n_slices} slices{problems}")
        self.volumeLoaded.emit(volume)

    def _on_failed(self, message: str) -> None:
        self.slice_view.clear(f"Could not open this study.\n\n{message}")
        self.show_status(message)

    def _on_empty(self, reason: str) -> None:
        self.slice_view.clear(
            f"No CT images to show in\n{self.folder}\n\n{reason}\n\n"
            "File ▸ Show load report lists every file that was left out."
        )
        self.show_status(reason)

    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.status_message.setText(message)

    def _on_busy(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)

    # --- view actions ------------------------------------------------------------------------
    def _default_window(self, volume: CTVolume | None) -> Window:
        name = self.settings.default_window
        if name == "scanner" and volume is not None and volume.scanner_window() is not None:
            return volume.scanner_window()  # type: ignore[return-value]
        return PRESETS.get(name, PRESETS["brain"])

    def apply_preset(self, name: str) -> None:
        """Keys 1-4 and 0: a preset, or the series' own window for 'scanner'."""
        if name == "scanner":
            window = self.volume.scanner_window() if self.volume is not None else None
            if window is None:
                self.show_status("This series states no window (0028,1050/1051); keeping the current one")
                self.window_controls.set_window(self.slice_view.window)
                return
        else:
            window = PRESETS[name]
        self.slice_view.set_window(window)

    def toggle_overlays(self) -> None:
        self.slice_view.set_overlays_visible(not self.slice_view.overlays_visible)
        self.overlays_action.setChecked(self.slice_view.overlays_visible)

    def toggle_patient(self) -> None:
        self.slice_view.set_patient_visible(not self.slice_view.patient_visible)
        self.patient_action.setChecked(self.slice_view.patient_visible)

    def set_theme(self, name: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, name)
        self.settings.theme = name
        for action in self.theme_actions.actions():
            action.setChecked(action.data() == name)

    def _on_slice_changed(self, index: int) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)

    def show_status(self, message: str) -> None:
        self.status_message.setText(message)

    def shortcuts(self) -> list[tuple[str, str]]:
        """(key, action) for every keyboard shortcut, as the Help dialog lists them."""
        return list(self._shortcuts)

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self._shortcuts, self)
        dialog.show()
        return dialog

    def show_load_report(self) -> LoadReportDialog:
        dialog = LoadReportDialog(self.report, self.folder or "(no folder open)", self)
        dialog.show()
        return dialog

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for folder in self.settings.recent:
            action = self.recent_menu.addAction(folder)
            action.triggered.connect(lambda _=False, f=folder: self.open_folder(f))
        self.recent_menu.setEnabled(True)
        if not self.settings.recent:
            self.recent_menu.addAction("(none)").setEnabled(False)

    # --- Qt events -----------------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if _dropped_folder(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        folder = _dropped_folder(event.mimeData().urls())
        if folder is not None:
            event.acceptProposedAction()
            self.open_folder(folder)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.loader.shutdown()
        if self.ai is not None:
            self.ai.shutdown()
        self._store_settings()
        super().closeEvent(event)


def _dropped_folder(urls: Sequence[object]) -> Path | None:
    """The first local folder among dropped URLs (a dropped file opens its folder)."""
    for url in urls:
        if url.isLocalFile():  # type: ignore[attr-defined]
            path = Path(url.toLocalFile())  # type: ignore[attr-defined]
            return path if path.is_dir() else path.parent
    return None


def run_viewer(folder: str | Path | None = None, device: str | None = None) -> int:
    """Start the application, open `folder` if given, and run the event loop."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_TITLE)
    app.setWindowIcon(app_icon())
    window = MainWindow(device=device)
    window.show()
    if folder is not None:
        window.open_folder(folder)
    return app.exec()
