"""`python -m ichviewer` runs the command line."""

import sys

from ichviewer.cli import main

sys.exit(main())
