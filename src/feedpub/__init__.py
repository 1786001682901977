"""feedpub: validate a YAML catalogue of articles and publish it as feeds."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("feedpub")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
