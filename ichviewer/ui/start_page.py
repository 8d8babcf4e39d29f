"""The start page shown while no study is open: open a folder, drop one, a recent study, or the demo.

A view of the state like the others: it shows itself while `state.folder` is empty and names
recent studies as the privacy toggle allows (`core.privacy.recent_entry`). What it asks for is
emitted (`open_folder_clicked`, `demo_clicked`, `recent_chosen`); the window does the opening.
The demo study is generated once (~15 s) in a background thread by `DemoMaker`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ichviewer.core.intended_use import NOT_FOR_CLINICAL_USE
from ichviewer.core.privacy import recent_entry
from ichviewer.core.state import ViewerState

log = logging.getLogger(__name__)


class StartPage(QWidget):
    """Buttons, a drop zone and the recent studies; `recent` gives the folders (most recent first)."""

    open_folder_clicked = Signal()
    demo_clicked = Signal()
    recent_chosen = Signal(str)

    def __init__(self, state: ViewerState, recent: Callable[[], list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self._recent = state, recent
        self.setObjectName("startPage")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        title = QLabel("Open a head CT study")
        title.setObjectName("startTitle")
        hint = QLabel(f"A folder of DICOM files, any names, any depth. {NOT_FOR_CLINICAL_USE}.")
        hint.setObjectName("startHint")
        hint.setWordWrap(True)
        self.open_button = QPushButton("Open folder…  (Ctrl+O)")
        self.open_button.clicked.connect(self.open_folder_clicked)
        self.demo_button = QPushButton("Open the demo study (synthetic)")
        self.demo_button.clicked.connect(self.demo_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)
        drop = QFrame()
        drop.setObjectName("dropZone")
        drop_text = QLabel("…or drop a folder anywhere on this window")
        drop_text.setObjectName("startHint")
        drop_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        QVBoxLayout(drop).addWidget(drop_text)
        drop.setMinimumHeight(90)
        self.recent_title = QLabel("Recent studies")
        self.recent_list = QListWidget()
        self.recent_list.setObjectName("recentStudies")
        self.recent_list.itemActivated.connect(self._chosen)
        self.recent_list.itemClicked.connect(self._chosen)
        column = QVBoxLayout()
        column.setSpacing(12)
        for widget in (title, hint):
            column.addWidget(widget)
        column.addLayout(buttons)
        column.addWidget(drop)
        column.addWidget(self.recent_title)
        column.addWidget(self.recent_list, 1)
        panel = QWidget()
        panel.setMaximumWidth(640)
        panel.setLayout(column)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(panel, 3)
        outer.addStretch(1)
        state.display.events.show_patient.connect(lambda _: self.refresh())
        self.refresh()

    def refresh(self) -> None:
        """List the recent studies (paths hidden while names are)."""
        self.recent_list.clear()
        folders = self._recent()
        for position, folder in enumerate(folders, 1):
            item = QListWidgetItem(recent_entry(folder, position, self.state.display.show_patient))
            item.setData(Qt.ItemDataRole.UserRole, folder)
            self.recent_list.addItem(item)
        self.recent_title.setVisible(bool(folders))
        self.recent_list.setVisible(bool(folders))

    def entries(self) -> list[str]:
        """The texts of the recent list as shown."""
        return [self.recent_list.item(row).text() for row in range(self.recent_list.count())]

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.refresh()
        super().showEvent(event)

    def _chosen(self, item: QListWidgetItem) -> None:
        self.recent_chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))


def with_start_page(viewer: QWidget, start: StartPage, state: ViewerState) -> QStackedWidget:
    """The central widget: the start page while no folder is open, the viewer afterwards."""
    stack = QStackedWidget()
    stack.addWidget(start)
    stack.addWidget(viewer)

    def show(folder: str) -> None:
        stack.setCurrentWidget(viewer if folder else start)

    state.events.folder.connect(show)
    show(state.folder)
    return stack


class DemoMaker(QObject):
    """Generates the demo study in a thread (the first time takes ~15 s), then emits `ready(folder)`."""

    ready = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._thread = threading.Thread(target=self._run, name="ichviewer-demo", daemon=True)
        self._thread.start()

    def wait(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        from ichviewer.core.synthetic.demo import demo_study_dir

        try:
            folder = demo_study_dir()
        except Exception as error:  # reported to the reader; the log keeps the traceback
            log.exception("Could not generate the demo study")
            self._emit(self.failed, f"Could not generate the demo study: {type(error).__name__}: {error}")
            return
        self._emit(self.ready, str(Path(folder)))

    @staticmethod
    def _emit(signal: object, text: str) -> None:
        try:
            signal.emit(text)  # type: ignore[attr-defined]
        except RuntimeError:  # the window closed while the demo was being written: nobody to tell
            log.info("demo study ready after its window closed")
