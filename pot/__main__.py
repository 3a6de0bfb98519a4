"""Allow ``python -m pot``."""

from pot.cli.main import main

main()
