"""The monitor configuration: current window, drift knobs, alert rules, webhook.

Read from a YAML or JSON file, either standalone or the ``monitor:`` section of a
deployment spec (``skyclass deploy SPEC.yaml``):

```yaml
monitor:
  window: 1h               # the current window drift and estimates look at
  trend_window: 15min      # bucket of the performance-over-time plots
  drift: {drift_share: 0.5, thresholds: {wasserstein: 0.1}}
  webhook: http://127.0.0.1:9000/alerts
  state: monitor-alerts.json
  rules:
    - {metric: drift_share, at_least: 0.5}
    - {metric: accuracy, below: 0.8, window: 1h, min_rows: 50}
    - {metric: estimated_accuracy, below: 0.8}
```

Example:
    >>> from skyclass.monitor import MonitorConfig
    >>> config = MonitorConfig.from_dict({"rules": [{"metric": "drift_share", "at_least": 0.5}]})
    >>> config.rules[0].name
    'drift_share >= 0.5'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from skyclass.errors import ConfigError
from skyclass.monitor._alerts import AlertRule
from skyclass.monitor._drift import DriftConfig
from skyclass.monitor._performance import window_seconds
from skyclass.monitor._yaml import read_mapping

__all__ = ["MonitorConfig", "load_monitor_config"]

_FIELDS = (
    "window",
    "trend_window",
    "drift",
    "rules",
    "webhook",
    "state",
    "n_resamples",
    "confidence",
)


@dataclass
class MonitorConfig:
    """What ``monitor`` computes and when it alerts.

    Parameters
    ----------
    window : str
        The current window for drift, estimates and rules (``"1h"``, ``"15min"``).
    trend_window : str
        Width of the buckets of the over-time charts and tables.
    drift : DriftConfig
        Drift tests, thresholds and the dataset-drift share.
    rules : list of AlertRule
        The alert rules (none by default).
    webhook : str, optional
        URL each alert is POSTed to.
    state : str, optional
        JSON file remembering firing alerts across ``skyclass monitor`` runs.
    n_resamples : int
        Bootstrap resamples of every live-performance interval and baseline comparison.
    confidence : float
        Level of those intervals, in (0, 1); the baseline tests use ``alpha = 1 - confidence``.
    """

    window: str = "1h"
    trend_window: str = "15min"
    drift: DriftConfig = field(default_factory=DriftConfig)
    rules: list[AlertRule] = field(default_factory=list)
    webhook: str | None = None
    state: str | None = None
    n_resamples: int = 1000
    confidence: float = 0.95

    @classmethod
    def from_dict(cls, data: Mapping | None, *, where: str = "monitor") -> MonitorConfig:
        """Parse a ``monitor:`` mapping, naming the field at fault.

        Parameters
        ----------
        data : mapping or None
            The section's fields (see the class); ``None`` or ``{}`` gives the defaults.
        where : str
            Where the section is (``"spec.yaml: monitor"``), the start of every error.

        Returns
        -------
        MonitorConfig
            Validated: windows parse, ``confidence`` is in (0, 1), rules and drift are valid.

        Raises
        ------
        ConfigError
            Naming the unknown or invalid field.
        """
        data = dict(data or {})
        unknown = sorted(set(data) - set(_FIELDS))
        if unknown:
            raise ConfigError(f"{where}: unknown field(s) {unknown}; known: {list(_FIELDS)}")
        rules = data.get("rules") or []
        if not isinstance(rules, list):
            raise ConfigError(f"{where}.rules: must be a list of rules")
        config = cls(
            window=str(data.get("window", "1h")),
            trend_window=str(data.get("trend_window", "15min")),
            drift=DriftConfig.from_dict(data.get("drift"), where=f"{where}.drift"),
            rules=[
                AlertRule.from_dict(r, where=f"{where}.rules[{i}]") for i, r in enumerate(rules)
            ],
            webhook=data.get("webhook"),
            state=data.get("state"),
            n_resamples=int(data.get("n_resamples", 1000)),
            confidence=float(data.get("confidence", 0.95)),
        )
        for name in ("window", "trend_window"):
            try:
                window_seconds(getattr(config, name))
            except ValueError as err:
                raise ConfigError(f"{where}.{name}: {err}") from None
        for i, rule in enumerate(config.rules):
            if rule.window is not None:
                try:
                    window_seconds(rule.window)
                except ValueError as err:
                    raise ConfigError(f"{where}.rules[{i}].window: {err}") from None
        if not 0 < config.confidence < 1:
            raise ConfigError(
                f"{where}.confidence: must be between 0 and 1, got {config.confidence}"
            )
        return config


def load_monitor_config(path: str | Path | None) -> MonitorConfig:
    """Read a monitor config file (YAML/JSON); a deployment spec's ``monitor:`` section is used.

    Parameters
    ----------
    path : str or Path or None
        The file; ``None`` gives the defaults.

    Returns
    -------
    MonitorConfig
        Validated; a bad field raises ``ConfigError`` naming it.
    """
    if path is None:
        return MonitorConfig()
    path = Path(path)
    data = read_mapping(path, "monitor config")
    if "monitor" in data:
        return MonitorConfig.from_dict(data["monitor"], where=f"{path}: monitor")
    return MonitorConfig.from_dict(data, where=str(path))
