"""The main window: a `ViewerState`, the views built from it, the workers serving it, menus and docks.

It assembles and forwards: views subscribe to the state, user intent becomes state calls, the
study loader and the AI worker answer the state's requests. The window itself only handles what
belongs to a window: files dropped on it, dialogs, the theme, saving the settings on close.
"""

from __future__ import annotations

import base64
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pyqtgraph.util.garbage_collector import GarbageCollector
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QFileDialog, QMainWindow, QToolBar

from ichviewer.core.ai_state import ModelInfo, ModelStatus
from ichviewer.core.dicom.records import Series, StudyIndex
from ichviewer.core.privacy import shown_folder
from ichviewer.core.settings import LoadedSettings, Settings, load_settings, save_settings
from ichviewer.core.state import ViewerState
from ichviewer.core.worklist_rows import rows_from_index
from ichviewer.ui.ai_dock import AIDock
from ichviewer.ui.ai_worker import AIWorker
from ichviewer.ui.dock_layout import DockLayout
from ichviewer.ui.help_dialogs import ShortcutsDialog, show_about
from ichviewer.ui.layout import ViewLayout
from ichviewer.ui.measure_panel import MeasurePanel
from ichviewer.ui.measure_tools import MeasureTools
from ichviewer.ui.menus import Menus
from ichviewer.ui.pdf_export import PdfExport
from ichviewer.ui.series_panel import SeriesPanel
from ichviewer.ui.slice_slider import SliceSlider
from ichviewer.ui.slice_view import SliceView
from ichviewer.ui.start_page import DemoMaker, StartPage, with_start_page
from ichviewer.ui.status_bar import ViewerStatusBar
from ichviewer.ui.study_loader import StudyLoader
from ichviewer.ui.text_dialog import TextDialog, load_report_dialog, log_dialog
from ichviewer.ui.theme import apply_theme
from ichviewer.ui.window_controls import WindowControls

if TYPE_CHECKING:  # imported when a folder of several studies opens (its store pulls in scipy): a lighter start
    from ichviewer.ui.worklist_dock import WorklistDock

APP_TITLE = "ichviewer"
DOCK_FEATURES = QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable


class MainWindow(QMainWindow):
    """The viewer window; `open_folder(path)` is what File ▸ Open, recent, drop and the CLI call."""

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
        self.state = state = ViewerState.from_settings(self.settings)
        self.setWindowTitle(APP_TITLE)
        self.setAcceptDrops(True)
        self.setDockOptions(QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowNestedDocks)
        self._build_views()
        self.loader = StudyLoader(state, self)
        self.ai_worker: AIWorker | None = None
        self.ai_dock: AIDock | None = None
        self.pdf_export: PdfExport | None = None
        if ai:
            self.ai_worker = AIWorker(state, model_dir, self.settings.device, self)
            self.pdf_export = PdfExport(state, self.ai_worker, self.settings, self)
            self.ai_dock = AIDock(state, self)
            self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.ai_dock)
            self.resizeDocks([self.ai_dock], [400], Qt.Orientation.Horizontal)
        else:
            state.model = ModelInfo(ModelStatus.OFF)
        self.model_dir, self.ai = model_dir, ai
        self.dock_layout = DockLayout(self, self.series_dock, self.ai_dock, tabbed=(self.measure_panel,))
        self.worklist_dock: WorklistDock | None = None
        self.menus = Menus(self)
        state.events.series.connect(self._show_title)
        state.events.index.connect(self._show_worklist)
        self._restore_geometry()
        self.set_theme(self.settings.theme)
        if loaded.warning:
            state.status = loaded.warning
        if self.ai_worker is not None:
            self.ai_worker.start()

    def _build_views(self) -> None:
        state = self.state
        self.slice_view = SliceView(state)
        self.slice_view.graphics.setAcceptDrops(False)  # drops reach the window
        self.slider = SliceSlider(state)
        self.views = ViewLayout(state, self.slice_view, self.slider)  # axial, or axial beside coronal over sagittal
        self.start_page = StartPage(state, lambda: list(self.settings.recent))
        self.start_page.open_folder_clicked.connect(self.choose_folder)
        self.start_page.recent_chosen.connect(self.open_folder)
        self.start_page.demo_clicked.connect(self.open_demo)
        self.demo_maker = DemoMaker(self)
        self.demo_maker.ready.connect(self.open_folder)
        self.demo_maker.failed.connect(lambda message: setattr(state, "status", message))
        self.setCentralWidget(with_start_page(self.views, self.start_page, state))
        self.measure_tools = MeasureTools(state, self.views, self)
        self.measure_toolbar = QToolBar("Measure")
        self.measure_toolbar.setObjectName("measureToolbar")
        self.measure_toolbar.setMovable(False)
        self.window_controls = WindowControls(state)
        toolbar = QToolBar("Window")
        toolbar.setObjectName("windowToolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.window_controls)
        self.addToolBar(toolbar)
        self.addToolBarBreak()
        self.addToolBar(self.measure_toolbar)
        self.series_panel = SeriesPanel(state)
        self.series_dock = QDockWidget("Series", self)
        self.series_dock.setObjectName("seriesDock")
        self.series_dock.setWidget(self.series_panel)
        self.series_dock.setFeatures(DOCK_FEATURES)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.series_dock)
        self.measure_panel = MeasurePanel(state, self.measure_tools, self)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.measure_panel)
        self.tabifyDockWidget(self.series_dock, self.measure_panel)  # one side column: the image keeps its width
        self.series_dock.raise_()
        state.measurements.events.tool.connect(lambda tool: self.measure_panel.raise_() if tool else None)
        self.status_bar = ViewerStatusBar(state)
        self.setStatusBar(self.status_bar)

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry_b64:
            self.restoreGeometry(QByteArray(base64.b64decode(self.settings.window_geometry_b64)))
        else:
            self.resize(1400, 900)

    def _show_title(self, series: Series | None) -> None:
        self.setWindowTitle(f"{APP_TITLE} — {series.description or series.title}" if series else APP_TITLE)

    def _show_worklist(self, index: StudyIndex | None) -> None:
        """A folder of more than one study gets the worklist dock (its queue starts); another folder drops it."""
        if self.worklist_dock is not None:
            self.worklist_dock.close_worklist()
            self.removeDockWidget(self.worklist_dock)
            self.worklist_dock.deleteLater()
            self.worklist_dock = None
        if index is None or len(rows_from_index(index)) < 2:
            return  # one study: no worklist, and its module is not imported while the first image is on its way
        from ichviewer.ui.worklist_dock import open_worklist

        dock = open_worklist(self.state, index, self.model_dir, self)
        if dock is not None:
            self.worklist_dock = dock
            self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
            self.resizeDocks([dock], [320], Qt.Orientation.Vertical)

    # --- opening -----------------------------------------------------------------------------
    def choose_folder(self) -> None:
        start = self.settings.last_folder or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Open a folder with a CT study", start)
        if folder:
            self.open_folder(folder)

    def open_folder(self, folder: str | Path) -> None:
        """Index and load `folder` in the background; a load in progress is cancelled."""
        self.settings.add_recent(Path(folder).expanduser())
        self.state.open_folder(folder)

    def open_demo(self) -> None:
        """The synthetic demo study (generated in the background the first time)."""
        self.state.status = "Preparing the demo study (the first time takes about 15 s)…"
        self.demo_maker.start()

    # --- window things ---------------------------------------------------------------------------
    def set_theme(self, name: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_theme(app, name)
        self.settings.theme = name
        for action in self.menus.themes.actions():
            action.setChecked(action.data() == name)

    def shortcuts(self) -> list[tuple[str, str]]:
        """(key, action) for every keyboard shortcut, as the Help dialog lists them."""
        return list(self.menus.shortcuts)

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.menus.shortcuts, self)
        dialog.show()
        return dialog

    def show_load_report(self) -> TextDialog:
        folder = shown_folder(self.state.folder, self.state.display.show_patient) if self.state.folder else ""
        hidden_root = Path(self.state.folder) if self.state.folder and not self.state.display.show_patient else None
        dialog = load_report_dialog(self.state.report, folder or "(no folder open)", self, hidden_root)
        dialog.show()
        return dialog

    def show_log(self) -> TextDialog:
        dialog = log_dialog(self)
        dialog.show()
        return dialog

    def show_about(self) -> None:
        show_about(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if _dropped_folder(event.mimeData().urls()) is not None:
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        folder = _dropped_folder(event.mimeData().urls())
        if folder is not None:
            event.acceptProposedAction()
            self.open_folder(folder)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.state.close()
        if self.worklist_dock is not None:
            self.worklist_dock.close_worklist()
        self.loader.shutdown()
        if self.ai_worker is not None:
            self.ai_worker.stop()
        self.state.save_to(self.settings)
        self.settings.window_geometry_b64 = base64.b64encode(bytes(self.saveGeometry().data())).decode("ascii")
        save_settings(self.settings)
        super().closeEvent(event)


def _dropped_folder(urls: Sequence[object]) -> Path | None:
    """The first local folder among dropped URLs (a dropped file opens its folder)."""
    for url in urls:
        if url.isLocalFile():  # type: ignore[attr-defined]
            path = Path(url.toLocalFile())  # type: ignore[attr-defined]
            return path if path.is_dir() else path.parent
    return None


def gui_thread_garbage_collection() -> GarbageCollector:
    """Python's cycle collector only in the GUI thread, from a timer between events (pyqtgraph's
    GarbageCollector): collected by a worker thread or in the middle of a paint, a cycle that holds
    Qt graphics items crashes Qt. Keep the returned object alive while the event loop runs."""
    return GarbageCollector(interval=0.5)


def run_viewer(folder: str | Path | None = None, device: str | None = None, layout: str | None = None) -> int:
    """Start the application, open `folder` if given (in `layout` when given: "axial" or "mpr"), run the event loop."""
    from ichviewer.core.log_file import start_logging
    from ichviewer.ui.icon import app_icon

    start_logging()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    collector = gui_thread_garbage_collection()  # noqa: F841  (lives as long as the event loop)
    app.setApplicationName(APP_TITLE)
    app.setWindowIcon(app_icon())
    window = MainWindow(device=device)
    if layout is not None:
        window.state.display.layout = layout
    window.show()
    if folder is not None:
        window.open_folder(folder)
    return app.exec()
