"""``python -m torchcompat``: the same as the ``torchcompat`` command."""

import sys

from torchcompat.cli import main

if __name__ == "__main__":
    sys.exit(main())
