"""``python -m dipkg``: the same command line as the ``dipkg`` script."""

from dipkg.cli import main

raise SystemExit(main())
