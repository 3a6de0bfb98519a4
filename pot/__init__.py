"""pot: the FreeBSD jail manager, in Python."""

__version__ = "0.1.0"
# The upstream release whose interface, on-disk state and image format we implement.
UPSTREAM_VERSION = "0.16.0"
