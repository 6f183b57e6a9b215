"""Gateway data planes, one module each, registered by name in ``ENGINES``.

Example:
    >>> from skyclass.gateway.engines import ENGINES
    >>> ENGINES.names()
    ('builtin', 'envoy')
"""

from skyclass.gateway.engines import builtin as _builtin  # noqa: F401
from skyclass.gateway.engines import envoy as _envoy  # noqa: F401
from skyclass.gateway.engines._base import Engine
from skyclass.gateway.engines._registry import ENGINES, default_engine

__all__ = ["ENGINES", "Engine", "default_engine"]
