"""``python -m skillenai.cli``: the ``skillenai`` command without the console script."""

import sys

from skillenai.cli.main import main

sys.exit(main())
