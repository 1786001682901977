"""feedpub: validate a YAML catalogue of articles and publish it as feeds."""

__version__ = "0.1.0"
