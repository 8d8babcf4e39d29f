"""How the slices are shown: the window (level/width), which overlays are visible and the layout of the views.

`show_patient` is the privacy toggle (P): off hides the patient's name, ID and dates on screen,
e.g. while sharing the screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from ichviewer.core.events import EventedModel
from ichviewer.core.volume import CTVolume
from ichviewer.core.windowing import PRESETS, SCANNER, Window


@dataclass(eq=False)
class Display(EventedModel):
    """The window on screen and the overlay toggles (O: all overlays, P: patient details)."""

    window: Window = PRESETS["brain"]
    show_overlays: bool = True
    show_patient: bool = True
    layout: str = "axial"  # one of core.settings.LAYOUTS: the axial view alone, or axial beside coronal over sagittal

    @staticmethod
    def preset_window(name: str, volume: CTVolume | None) -> Window | None:
        """The window a preset name stands for; for 'scanner' the volume's own, or None if it states none."""
        if name == SCANNER:
            return volume.scanner_window() if volume is not None else None
        return PRESETS[name]

    def default_for(self, name: str, volume: CTVolume) -> Window:
        """The window a newly opened study starts with: the setting's preset, brain when it cannot apply."""
        return self.preset_window(name, volume) or PRESETS["brain"]

    def toggle_overlays(self) -> None:
        self.show_overlays = not self.show_overlays

    def toggle_patient(self) -> None:
        self.show_patient = not self.show_patient

    def toggle_layout(self) -> None:
        """M: the axial view alone, or axial beside coronal over sagittal."""
        self.layout = "mpr" if self.layout == "axial" else "axial"
