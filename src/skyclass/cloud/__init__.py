"""skyclass.cloud: one deployment spec → replicas in several regions/clouds behind a gateway.

Providers: ``local`` (real ``skyclass serve`` processes), ``kubernetes`` (rendered and
optionally applied manifests), ``external`` (existing V2 endpoints). State lives in
SQLite under ``$SKYCLASS_STATE`` or ``./.skyclass-state``.

Example:
    >>> from skyclass.cloud import deploy, connect
    >>> # dep = deploy("examples/deploy.yaml")          # replicas + gateway, returns a handle
    >>> # dep.status(); dep.chaos("aws-us-east-1", kill=True); connect("tickets").down()
"""

from __future__ import annotations

from pathlib import Path

from skyclass.cloud._deployment import Deployment
from skyclass.cloud._gateway import run_gateway
from skyclass.cloud._reconcile import deploy
from skyclass.cloud._report import status_table
from skyclass.cloud._spec import load_spec, parse_spec
from skyclass.cloud._spec_models import (
    CanarySpec,
    DeploymentSpec,
    RegionSpec,
    RolloutSpec,
    ShadowSpec,
)
from skyclass.cloud._state import Replica, StateStore, default_state_dir
from skyclass.cloud.providers.kubernetes import render as render_kubernetes

__all__ = [
    "CanarySpec",
    "Deployment",
    "DeploymentSpec",
    "RegionSpec",
    "Replica",
    "RolloutSpec",
    "ShadowSpec",
    "StateStore",
    "connect",
    "default_state_dir",
    "deploy",
    "load_spec",
    "parse_spec",
    "render_kubernetes",
    "run_gateway",
    "status_table",
]


def connect(name: str | None = None, state_dir: str | Path | None = None) -> Deployment:
    """The handle of a deployment recorded in a state folder (from any new shell).

    Parameters
    ----------
    name : str, optional
        The deployment's name (default None: the most recently updated one).
    state_dir : str or pathlib.Path, optional
        The state folder ``deploy`` used (default None: ``$SKYCLASS_STATE`` or
        ``./.skyclass-state``).

    Returns
    -------
    Deployment
        Its handle: ``status()``, ``chaos(...)``, ``down()``.

    Raises
    ------
    NotFoundError
        When no such deployment is recorded there.
    """
    store = StateStore(state_dir)
    return Deployment(store.deployment(name)["name"], store)
