"""The skyclass version string, in a module of its own.

Packages that stamp the version (bundle manifests, the server's metadata, the CLI)
import it from here, so reading the version never imports the root package and,
through its lazy ``skyclass.train``, the training code.

Example:
    >>> from skyclass._version import __version__
    >>> __version__
    '0.1.0'
"""

__version__ = "0.1.0"
