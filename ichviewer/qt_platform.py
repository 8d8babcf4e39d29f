"""Before Qt starts: can it open a window here? Names the missing system libraries instead of Qt's abort.

On a Linux desktop without the libraries Qt's xcb platform plugin links against (libxcb-cursor0,
libxcb-icccm4, libxcb-keysyms1, …), Qt aborts with "could not load the Qt platform plugin xcb".
We read the plugin's needed libraries from its ELF header (what `ldd` shows), try to load each
one the system must provide, and say which packages to install. Standard library only.
"""

from __future__ import annotations

import ctypes
import os
import struct
import sys
from pathlib import Path

SHT_DYNAMIC = 6
DT_NEEDED = 1
# Debian/Ubuntu package names that do not follow from the library's name (the rule in `package_for`)
PACKAGES = {
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libm.so.6": "libc6",
    "libgcc_s.so.1": "libgcc-s1",
}


def needed_libraries(path: Path) -> list[str]:
    """The DT_NEEDED entries of a little-endian ELF shared object (32- or 64-bit), in file order."""
    data = path.read_bytes()
    if data[:4] != b"\x7fELF" or data[5] != 1:
        raise ValueError(f"{path} is not a little-endian ELF file")
    wide = data[4] == 2
    shoff, shentsize, shnum = (
        struct.unpack_from("<Q", data, 0x28)[0] if wide else struct.unpack_from("<I", data, 0x20)[0],
        *struct.unpack_from("<HH", data, 0x3A if wide else 0x2E),
    )
    header = "<IIQQQQIIQQ" if wide else "<IIIIIIIIII"
    sections = [struct.unpack_from(header, data, shoff + i * shentsize) for i in range(shnum)]
    names: list[str] = []
    for section in sections:
        if section[1] != SHT_DYNAMIC:
            continue
        offset, size, link = section[4], section[5], section[6]
        strings = sections[link][4]
        entry = "<qQ" if wide else "<iI"
        for start in range(offset, offset + size, struct.calcsize(entry)):
            tag, value = struct.unpack_from(entry, data, start)
            if tag == DT_NEEDED:
                end = data.index(b"\0", strings + value)
                names.append(data[strings + value : end].decode())
    return names


def package_for(soname: str) -> str:
    """The Debian/Ubuntu package that ships a library: libxcb-cursor.so.0 → libxcb-cursor0."""
    if soname in PACKAGES:
        return PACKAGES[soname]
    stem, _, version = soname.partition(".so.")
    stem = stem.lower()
    return f"{stem}-{version}" if stem[-1:].isdigit() else f"{stem}{version}"


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_xcb_libraries(qt_dir: Path) -> list[str]:
    """System libraries the xcb plugin (and Qt's xcb support library) need but the loader cannot find."""
    bundled = {p.name for p in (qt_dir / "lib").glob("*.so*")}
    frozen = getattr(sys, "_MEIPASS", None)  # the packaged app carries the libraries it found when built
    if frozen:
        bundled |= {p.name for p in Path(frozen).glob("*.so*")}
    missing: list[str] = []
    for binary in (qt_dir / "plugins" / "platforms" / "libqxcb.so", *sorted((qt_dir / "lib").glob("libQt6XcbQpa.so*"))):
        if not binary.is_file():
            continue
        for soname in needed_libraries(binary):
            if soname not in bundled and soname not in missing and not _loads(soname):
                missing.append(soname)
    return missing


def display_problem(environ: dict[str, str] | None = None, qt_dir: Path | None = None) -> str | None:
    """Why Qt could not open a window here, with what to do; None when it can (or it is not our case to judge)."""
    env = dict(os.environ if environ is None else environ)
    platform = env.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or platform not in ("", "xcb"):
        return None
    if not platform and env.get("WAYLAND_DISPLAY"):
        return None  # Qt may use its Wayland plugin
    if not env.get("DISPLAY"):
        return (
            "there is no display to open the viewer on (DISPLAY is not set). "
            "`ichviewer scan FOLDER --pdf summary.pdf` analyses a study without one."
        )
    if qt_dir is None:
        import PySide6

        qt_dir = Path(PySide6.__file__).parent / "Qt"
    try:
        missing = missing_xcb_libraries(qt_dir)
    except (OSError, ValueError, struct.error):
        return None  # we could not read the plugin: let Qt try and speak for itself
    if not missing:
        return None
    packages = " ".join(sorted({package_for(name) for name in missing}))
    return (
        "Qt cannot open a window on this X11 display: these system libraries are missing: "
        f"{', '.join(sorted(missing))}.\n"
        f"Install them, on Debian/Ubuntu with:\n    sudo apt-get install {packages}\n"
        "(on other distributions, the packages that provide these files)."
    )
