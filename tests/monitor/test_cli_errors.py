"""Bad input to the monitoring commands: one clear line on stderr and exit code 2."""

import sys

import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from skyclass.cli import main
from skyclass.data import infer_schema
from skyclass.pipeline import Preprocessor, package


def _run(monkeypatch, capsys, *args):
    monkeypatch.setattr(sys, "argv", ["skyclass", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    err = capsys.readouterr().err
    return exit_info.value.code, err


def test_missing_bundle(monkeypatch, capsys, tmp_path):
    code, err = _run(monkeypatch, capsys, "monitor", str(tmp_path / "nope"), "--log", "x.db")
    assert code == 2
    assert err.startswith("error:") and "nope" in err and "Traceback" not in err


def test_missing_log_and_bad_config(monkeypatch, capsys, tmp_path):

    from tests.monitor.test_retrain import ROOT  # noqa: F401  (the wine example lives there)

    wine = pd.read_csv(ROOT / "examples" / "wine.csv").head(60)
    schema = infer_schema(wine, target="cultivar")
    X = wine.drop(columns=["cultivar"])
    pre = Preprocessor(schema).fit(X)
    model = LogisticRegression(max_iter=500).fit(pre.transform(X), wine["cultivar"])
    bundle = package(tmp_path / "b", preprocessor=pre, model=model, schema=schema,
                     labels=list(model.classes_), target="cultivar", name="wine", X_reference=X)  # fmt: skip
    code, err = _run(
        monkeypatch, capsys, "monitor", str(bundle), "--log", str(tmp_path / "none.db")
    )
    assert code == 2 and "prediction log" in err and "skyclass serve --log" in err
    config = tmp_path / "m.yaml"
    config.write_text("rules:\n  - {metric: accuracy, below: high}\n")
    (tmp_path / "log.jsonl").write_text("")
    code, err = _run(monkeypatch, capsys, "monitor", str(bundle), "--log", str(tmp_path / "log.jsonl"),
                     "--config", str(config))  # fmt: skip
    assert code == 2 and "rules[0].threshold" in err
    code, err = _run(monkeypatch, capsys, "monitor", str(bundle), "--log", str(tmp_path / "log.jsonl"),
                     "--window", "soon")  # fmt: skip
    assert code == 2 and "not a duration" in err
