"""Allow ``python -m pot``; ``python -m pot --version`` prints this package's version
(``pot version`` prints upstream's version line only, which scripts parse).
"""

import sys

if sys.argv[1:] == ["--version"]:
    from pot import __version__

    sys.stdout.write(f"bsdpot-py version: {__version__}\n")
    sys.exit(0)

from pot.cli.edge import main

main()
