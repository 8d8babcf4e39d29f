"""Launcher for packaging (PyInstaller) and `python app/main.py`: runs the ichviewer command line."""

import sys

from ichviewer.cli import main

if __name__ == "__main__":
    sys.exit(main())
