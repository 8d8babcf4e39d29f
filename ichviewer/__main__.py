"""`python -m ichviewer` runs the command line."""

import sys

from ichviewer.cli import main

if __name__ == "__main__":  # not when the AI's child process (spawned) imports this module as its main
    sys.exit(main())
