"""Alert rules, dedup across passes, webhook delivery to a real local HTTP receiver, and a
whole monitoring pass over a synthetic prediction log with drifted traffic."""

import http.server
import io
import json
import threading
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import log_loss, roc_auc_score

from skyclass.errors import ConfigError
from skyclass.monitor import (
    AlertManager,
    AlertRule,
    MonitorConfig,
    load_monitor_config,
    monitor,
    read_prediction_log,
)
from tests.monitor._helpers import reference_from_frame, write_sqlite_log

LABELS = ["low", "mid", "high"]
KINDS = {"x": "numeric", "color": "categorical"}
NOW = 1_700_006_400.0  # a whole hour, so trend windows align


class _Receiver(http.server.BaseHTTPRequestHandler):
    bodies: list

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers["Content-Length"])
        self.server.bodies.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _model(seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {"x": rng.normal(0, 1, 2000), "color": rng.choice(["red", "blue", "green"], 2000)}
    )
    preds = np.array(LABELS)[np.digitize(frame["x"], [-0.5, 0.5])]
    reference = reference_from_frame(frame, KINDS, predictions=preds)
    return SimpleNamespace(reference=reference, labels=LABELS, name="levels")


def _log(tmp_path, *, shift, n=600, seed=1, name="log.db"):
    """Two hours of traffic ending at NOW; the last hour is shifted by ``shift`` std."""
    rng = np.random.default_rng(seed)
    predictions, feedback = [], []
    for i in range(n):
        ts = NOW - 7200 + i * 7200 / n
        recent = ts >= NOW - 3600
        x = rng.normal(shift if recent else 0.0, 1)
        logits = np.array([-x, 0.0, x]) * 2
        p = np.exp(logits) / np.exp(logits).sum()
        predictions.append(
            {
                "id": f"p{i}",
                "ts": ts,
                "model_name": "levels",
                "model_version": "2" if recent else "1",
                "region": ["aws-us", "gcp-eu"][i % 2],
                "inputs": {"x": x, "color": str(rng.choice(["red", "blue", "green"]))},
                "probabilities": p.tolist(),
                "label": LABELS[int(p.argmax())],
            }
        )
        truth = LABELS[int(rng.choice(3, p=p))] if not recent else "low"  # the world changed
        if i % 2 == 0:
            feedback.append({"id": f"p{i}", "ts": ts + 1, "label": truth})
    return write_sqlite_log(tmp_path / name, predictions, feedback)


def test_rule_parsing_and_errors():
    rule = AlertRule.from_dict({"metric": "accuracy", "below": 0.8, "window": "1h", "min_rows": 20})
    assert (rule.op, rule.threshold, rule.window, rule.min_rows) == ("<", 0.8, "1h", 20)
    assert rule.name == "accuracy < 0.8 over 1h"
    assert AlertRule.from_dict({"metric": "drift_share", "op": ">", "threshold": 0.3}).breached(
        0.31
    )
    with pytest.raises(ConfigError, match=r"rules\[2\].op"):
        AlertRule.from_dict({"metric": "a", "op": "=>", "threshold": 1}, where="rules[2]")
    with pytest.raises(ConfigError, match="threshold"):
        AlertRule.from_dict({"metric": "a", "threshold": "high"})
    with pytest.raises(ConfigError, match="unknown field"):
        AlertRule.from_dict({"metric": "a", "below": 1, "severity": "page"})
    with pytest.raises(ConfigError, match="unique"):
        AlertManager([rule, rule])


def test_config_from_deployment_spec_section(tmp_path):
    spec = tmp_path / "deploy.yaml"
    spec.write_text(
        "name: levels\nmodel: file:///r/levels@champion\nmonitor:\n  window: 30min\n"
        "  drift: {drift_share: 0.3}\n  rules:\n    - {metric: drift_share, at_least: 0.5}\n"
    )
    config = load_monitor_config(spec)
    assert config.window == "30min" and config.drift.drift_share == 0.3
    spec.write_text(
        spec.read_text().replace(
            "name: levels\nmodel: file:///r/levels@champion\n",
            "name: levels\nmodel: file:///r/levels@champion\nregions:\n  - name: a\n",
        )
    )
    from skyclass.cloud._spec import load_spec

    assert load_spec(spec).monitor["window"] == "30min"  # skyclass deploy accepts the section
    assert config.rules[0].op == ">="
    spec.write_text("monitor:\n  rules:\n    - {metric: accuracy, below: 0.8, window: soon}\n")
    with pytest.raises(ConfigError, match=r"monitor.rules\[0\].window"):
        load_monitor_config(spec)


def test_alerts_fire_once_per_condition_and_reach_the_webhook(tmp_path, receiver):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    rule = AlertRule.from_dict({"metric": "drift_share", "at_least": 0.5})
    out = io.StringIO()
    state = tmp_path / "alerts.json"
    first = AlertManager([rule], webhook=url, state_path=state, stream=out)
    assert [a.status for a in first.evaluate({rule.name: 1.0}, now=1.0)] == ["firing"]
    # a new manager (a new `skyclass monitor` run) reads the state: no duplicate
    second = AlertManager([rule], webhook=url, state_path=state, stream=out)
    assert second.evaluate({rule.name: 1.0}, now=2.0) == []
    assert second.evaluate({rule.name: float("nan")}, now=2.5) == []
    assert [a.status for a in second.evaluate({rule.name: 0.0}, now=3.0)] == ["resolved"]
    assert [a.status for a in second.evaluate({rule.name: 0.5}, now=4.0)] == ["firing"]
    other = AlertRule.from_dict({"metric": "accuracy", "below": 0.5})
    assert AlertManager([other], state_path=state, stream=out).firing == {}  # stale names dropped
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(x["status"], x["ts"]) for x in lines] == [
        ("firing", 1.0),
        ("resolved", 3.0),
        ("firing", 4.0),
    ]
    assert receiver.bodies == lines
    assert lines[0]["metric"] == "drift_share" and lines[0]["value"] == 1.0


def test_unreachable_webhook_does_not_stop_monitoring(tmp_path):
    from tests.helpers import free_port

    rule = AlertRule.from_dict({"metric": "m", "above": 0})
    manager = AlertManager(
        [rule], webhook=f"http://127.0.0.1:{free_port()}/", stream=io.StringIO(), timeout_s=0.5
    )
    assert len(manager.evaluate({rule.name: 1.0}, now=0.0)) == 1
    assert "failed" in manager.webhook_errors[0]


def test_monitor_pass_on_drifted_traffic(tmp_path, receiver, capsys):
    url = f"http://127.0.0.1:{receiver.server_address[1]}/"
    config = MonitorConfig.from_dict(
        {
            "window": "1h",
            "trend_window": "30min",
            "n_resamples": 200,
            "webhook": url,
            "state": str(tmp_path / "state.json"),
            "rules": [
                {"metric": "drift_share", "at_least": 0.5},
                {"metric": "accuracy", "below": 0.6, "min_rows": 50},
                {"metric": "accuracy", "below": 0.3, "window": "3h", "name": "accuracy over 3h"},
                {"metric": "prediction_drifted", "at_least": 1},
            ],
        }
    )
    log = _log(tmp_path, shift=1.5)
    result = monitor(_model(), [str(log)], config=config, now=NOW)
    assert result.n_predictions == 600 and result.n_labelled == 300
    assert result.current.n_predictions == 300
    assert (
        result.drift.drifted_columns == ["x"]
        and result.drift.share == 0.5
        and result.drift.dataset_drift
    )
    assert result.prediction_drift.drifted
    assert result.current.values["accuracy"] < 0.4  # truth became 'low'
    fired = sorted(a.rule.name for a in result.alerts)
    assert fired == ["accuracy < 0.6", "drift_share >= 0.5", "prediction_drifted >= 1"]
    assert result.windows["3h"].values["accuracy"] > 0.3  # diluted by the good first hour
    labelled = read_prediction_log(str(log)).labelled().frame
    # scikit-learn wants class indices here: our columns follow LABELS, not sorted text
    y = [LABELS.index(v) for v in labelled["feedback"]]
    p = np.array(labelled["probabilities"].tolist())
    values = result.windows["3h"].values
    assert values["log_loss"] == pytest.approx(log_loss(y, p, labels=[0, 1, 2]), rel=1e-9)
    assert values["roc_auc_ovr_macro"] == pytest.approx(
        roc_auc_score(y, p, labels=[0, 1, 2], multi_class="ovr", average="macro"), rel=1e-9
    )
    assert sorted(b["alert"] for b in receiver.bodies) == fired
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(p["alert"] for p in printed) == fired
    assert [r["model_version"] for r in result.models] == ["1", "2"]
    assert {r["region"] for r in result.regions} == {"aws-us", "gcp-eu"}
    assert [r.keys["window"] for r in result.live["window"].rows] == sorted(
        r.keys["window"] for r in result.live["window"].rows
    )
    assert len(result.live["window"].rows) == 4
    assert len(result.estimated) == 4
    assert "labelled production rows before the current window" in result.estimator_reference
    # the estimate, calibrated on the first hour, does not see the label shift: that is
    # exactly why live performance from feedback matters
    assert result.current.values["estimated_accuracy"] > 0.6
    json.dumps(result.to_dict())
    again = monitor(_model(), [str(log)], config=config, now=NOW + 60)
    assert again.alerts == []  # same ongoing conditions: no duplicates


def test_monitor_without_feedback_explains_what_is_missing(tmp_path):
    rng = np.random.default_rng(0)
    preds = [
        {
            "id": f"q{i}",
            "ts": NOW - 10 * i,
            "model_name": "levels",
            "model_version": "1",
            "region": "r",
            "inputs": {"x": float(rng.normal()), "color": "red"},
            "probabilities": [0.2, 0.5, 0.3],
            "label": "mid",
        }
        for i in range(50)
    ]
    log = write_sqlite_log(tmp_path / "l.db", preds, [])
    result = monitor(_model(), [str(log)], now=NOW)
    assert result.live == {} and result.estimated == []
    assert any("feedback" in note for note in result.notes)
    assert not result.drift.dataset_drift or result.drift.share >= 0.5
