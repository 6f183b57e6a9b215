"""The registry of gateway data planes (``gateway.engine``)."""

from skyclass.gateway.engines._base import Engine
from skyclass.plugins import Registry

ENGINES: Registry[Engine] = Registry("gateway engine", Engine, field="gateway.engine")
