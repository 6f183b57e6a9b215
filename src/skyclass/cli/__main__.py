"""``python -m skyclass.cli`` runs the ``skyclass`` command (same as the console script)."""

from skyclass.cli import main

main()
