"""Alert rules and the alert manager: one JSON line per state change, optional webhook POST.

A rule compares one monitored metric, computed over a time window, with a threshold.
An alert fires when the condition starts to hold and is not repeated while it keeps
holding; when the condition clears a ``resolved`` line is emitted. The state can be kept
in a small JSON file so that repeated ``skyclass monitor`` runs don't repeat alerts.

Example:
    >>> import io
    >>> from skyclass.monitor import AlertManager, AlertRule
    >>> rule = AlertRule.from_dict({"metric": "accuracy", "below": 0.8, "window": "1h"})
    >>> out = io.StringIO()
    >>> manager = AlertManager([rule], stream=out)
    >>> [a.status for a in manager.evaluate({rule.name: 0.7}, now=0.0)]
    ['firing']
    >>> manager.evaluate({rule.name: 0.6}, now=60.0)  # still firing: no duplicate
    []
    >>> [a.status for a in manager.evaluate({rule.name: 0.9}, now=120.0)]
    ['resolved']
"""

from __future__ import annotations

import json
import math
import operator
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import httpx

from skyclass.errors import ConfigError

__all__ = ["Alert", "AlertManager", "AlertRule"]

OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_SHORTHAND = {"below": "<", "above": ">", "at_most": "<=", "at_least": ">="}


@dataclass(frozen=True)
class AlertRule:
    """``metric op threshold`` over ``window``; ``min_rows`` rows needed before it is judged.

    In a config: ``{metric: accuracy, below: 0.8, window: 1h}`` or
    ``{metric: drift_share, op: ">=", threshold: 0.5}``.

    Parameters
    ----------
    name : str
        Unique rule name, the key of its value (default ``"accuracy < 0.8 over 1h"``).
    metric : str
        What is judged: a live metric (``accuracy``, ``f1_macro``...), an estimated one
        (``estimated_accuracy``) or ``drift_share``.
    op : str
        One of ``<``, ``<=``, ``>``, ``>=``: the alert condition is ``value op threshold``.
    threshold : float
        The value compared with.
    window : str, optional
        Time window the metric is computed over (``"15min"``, ``"1h"``); ``None``: the
        monitor's window.
    min_rows : int
        Labelled rows the window needs before the rule is judged (at least 1).
    """

    name: str
    metric: str
    op: str
    threshold: float
    window: str | None = None
    min_rows: int = 1

    @classmethod
    def from_dict(cls, data: Mapping, *, where: str = "rules[0]") -> AlertRule:
        """Parse one rule, naming the field at fault.

        Parameters
        ----------
        data : mapping
            ``metric`` plus either one of ``below``/``above``/``at_most``/``at_least`` or
            ``op`` + ``threshold``; optionally ``name``, ``window`` and ``min_rows``.
        where : str
            Where the rule is in the config, the start of every error message.

        Returns
        -------
        AlertRule
            The rule, named after its condition when ``name`` is not given.

        Raises
        ------
        ConfigError
            Naming the missing, unknown or invalid field.
        """
        if not isinstance(data, Mapping):
            raise ConfigError(f"{where}: a rule is a mapping like {{metric: accuracy, below: 0.8}}")
        data = dict(data)
        metric = data.pop("metric", None)
        if not isinstance(metric, str) or not metric:
            raise ConfigError(f"{where}.metric: required, e.g. 'accuracy' or 'drift_share'")
        shorthand = [k for k in _SHORTHAND if k in data]
        if shorthand:
            if len(shorthand) > 1 or "op" in data or "threshold" in data:
                raise ConfigError(
                    f"{where}: give one of below/above/at_most/at_least, or op + threshold"
                )
            op, threshold = _SHORTHAND[shorthand[0]], data.pop(shorthand[0])
        else:
            op, threshold = data.pop("op", ">="), data.pop("threshold", None)
        if op not in OPS:
            raise ConfigError(f"{where}.op: {op!r} is not one of {list(OPS)}")
        try:
            threshold = float(threshold)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}.threshold: {threshold!r} is not a number") from None
        window = data.pop("window", None)
        min_rows = data.pop("min_rows", 1)
        name = data.pop("name", None) or f"{metric} {op} {threshold:g}" + (
            f" over {window}" if window else ""
        )
        if data:
            raise ConfigError(
                f"{where}: unknown field(s) {sorted(data)}; known: name, metric, op, threshold, "
                "below, above, at_most, at_least, window, min_rows"
            )
        if not isinstance(min_rows, int) or min_rows < 1:
            raise ConfigError(f"{where}.min_rows: must be a positive integer, got {min_rows!r}")
        return cls(
            name=str(name),
            metric=metric,
            op=op,
            threshold=threshold,
            window=None if window is None else str(window),
            min_rows=min_rows,
        )

    def breached(self, value: float) -> bool:
        """Whether ``value`` meets the alert condition.

        Parameters
        ----------
        value : float
            The metric's current value.

        Returns
        -------
        bool
            ``value op threshold``.
        """
        return OPS[self.op](value, self.threshold)


@dataclass(frozen=True)
class Alert:
    """One state change of a rule: ``status`` is ``firing`` or ``resolved``.

    Parameters
    ----------
    rule : AlertRule
        The rule whose state changed.
    status : str
        ``"firing"`` (the condition started to hold) or ``"resolved"`` (it cleared).
    value : float
        The metric value that changed the state.
    ts : float
        When, in seconds since the epoch (the monitor's ``now``).
    context : mapping, optional
        Extra fields merged into the JSON line (model, version, URL of the page).
    """

    rule: AlertRule
    status: str
    value: float
    ts: float
    context: Mapping | None = None

    def to_dict(self) -> dict:
        """The JSON object printed and POSTed.

        Returns
        -------
        dict
            ``type`` (``"skyclass.alert"``), ``alert`` (the rule name), ``status``, the
            rule's ``metric``/``op``/``threshold``/``window``, ``value``, ``ts`` and the
            context's fields.
        """
        return {
            "type": "skyclass.alert",
            "alert": self.rule.name,
            "status": self.status,
            "metric": self.rule.metric,
            "op": self.rule.op,
            "threshold": self.rule.threshold,
            "window": self.rule.window,
            "value": self.value,
            "ts": self.ts,
            **(dict(self.context) if self.context else {}),
        }


class AlertManager:
    """Judges rules against metric values and emits each state change once.

    Not thread-safe: one manager per monitoring loop.

    Parameters
    ----------
    rules : list of AlertRule
        The rules to judge; their names must be unique.
    webhook : str, optional
        URL to POST each alert to (JSON body); failures are reported on stderr and
        never stop monitoring.
    state_path : str or PathLike, optional
        JSON file remembering which rules are firing, across runs.
    stream : text stream, optional
        Where the JSON lines go (stdout by default).
    timeout_s : float
        Timeout of each webhook POST, in seconds.

    Raises
    ------
    ConfigError
        When two rules share a name, or the state file is not valid JSON.
    """

    def __init__(
        self,
        rules: list[AlertRule],
        *,
        webhook: str | None = None,
        state_path: str | os.PathLike | None = None,
        stream: TextIO | None = None,
        timeout_s: float = 2.0,
    ) -> None:
        names = [r.name for r in rules]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ConfigError(
                f"alert rule names must be unique; repeated: {duplicates} (set 'name')"
            )
        self.rules = list(rules)
        self.webhook = webhook
        self.state_path = Path(state_path) if state_path else None
        self.stream = stream
        self.timeout_s = timeout_s
        self.firing: dict[str, float] = self._load_state()
        self.webhook_errors: list[str] = []

    def _load_state(self) -> dict[str, float]:
        if self.state_path is None or not self.state_path.exists():
            return {}
        try:
            data = json.loads(self.state_path.read_text())
            known = {
                rule.name for rule in self.rules
            }  # rules removed from the config are forgotten
            return {str(k): float(v) for k, v in data.get("firing", {}).items() if k in known}
        except (ValueError, AttributeError, TypeError):
            raise ConfigError(
                f"alert state file {self.state_path} is not valid JSON; delete it to start afresh"
            ) from None

    def _save_state(self) -> None:
        if self.state_path is None:
            return
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.state_path.parent, prefix=".alerts-")
        with os.fdopen(fd, "w") as fh:
            json.dump({"firing": self.firing}, fh)
        os.replace(tmp, self.state_path)

    def evaluate(
        self, values: Mapping[str, float | None], *, now: float, context: Mapping | None = None
    ) -> list[Alert]:
        """Judge every rule with ``values[rule.name]``; a missing or NaN value leaves its state alone.

        Each change is written to the stream, POSTed to the webhook and saved to the
        state file.

        Parameters
        ----------
        values : mapping of str to float or None
            Rule name → the value of its metric over its window.
        now : float
            The time of this evaluation, in seconds since the epoch.
        context : mapping, optional
            Fields added to every alert's JSON line.

        Returns
        -------
        list of Alert
            The state changes (firing or resolved); empty when nothing changed.
        """
        changes: list[Alert] = []
        for rule in self.rules:
            value = values.get(rule.name)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            active = rule.name in self.firing
            if rule.breached(value) and not active:
                self.firing[rule.name] = now
                changes.append(Alert(rule, "firing", float(value), now, context))
            elif not rule.breached(value) and active:
                del self.firing[rule.name]
                changes.append(Alert(rule, "resolved", float(value), now, context))
        for alert in changes:
            self._emit(alert)
        if changes:
            self._save_state()
        return changes

    def _emit(self, alert: Alert) -> None:
        body = alert.to_dict()
        stream = self.stream or sys.stdout
        stream.write(json.dumps(body) + "\n")
        stream.flush()
        if not self.webhook:
            return
        try:
            httpx.post(self.webhook, json=body, timeout=self.timeout_s).raise_for_status()
        except httpx.HTTPError as err:
            message = f"webhook {self.webhook} failed for alert {alert.rule.name!r}: {err}"
            self.webhook_errors.append(message)
            print(message, file=sys.stderr)
