"""The Qt layer: displays core state and forwards user intent (PySide6 + pyqtgraph)."""
