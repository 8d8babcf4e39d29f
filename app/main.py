"""Launcher for packaging (PyInstaller) and `python app/main.py`: runs the ichviewer command line."""

import multiprocessing
import sys

from ichviewer.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the frozen app starts the AI's child process by running itself
    sys.exit(main())
