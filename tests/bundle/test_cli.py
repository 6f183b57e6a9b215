"""``skyclass registry ...`` through the real entry point (``skyclass.cli.main``)."""

import json
import shutil

import pytest

from skyclass.cli import main


def run(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.argv", ["skyclass", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def test_registry_commands_end_to_end(monkeypatch, capsys, tmp_path, demo_bundle, other_bundle):
    reg = f"file://{tmp_path}/reg"
    code, out, _ = run(
        monkeypatch,
        capsys,
        "registry",
        "push",
        str(demo_bundle),
        "--to",
        reg,
        "--alias",
        "champion",
    )
    assert (code, out.strip()) == (0, "1")
    code, out, _ = run(monkeypatch, capsys, "registry", "push", str(other_bundle), "--to", reg)
    assert (code, out.strip()) == (0, "2")
    code, out, _ = run(monkeypatch, capsys, "registry", "list", reg, "--json")
    assert json.loads(out) == [
        {"name": "demo", "versions": [1, 2], "latest": 2, "aliases": {"champion": 1}}
    ]
    code, out, _ = run(monkeypatch, capsys, "registry", "list", reg)
    assert code == 0 and "champion→1" in out
    code, out, _ = run(monkeypatch, capsys, "registry", "alias", reg, "demo", "champion", "2")
    assert code == 0 and "demo@champion → 2" in out
    code, out, _ = run(
        monkeypatch, capsys, "registry", "alias", reg, "demo", "champion", "--history"
    )
    assert [h["version"] for h in json.loads(out)] == [1, 2]
    code, out, _ = run(
        monkeypatch, capsys, "registry", "pull", f"{reg}/demo@champion", str(tmp_path / "got")
    )
    assert code == 0 and (tmp_path / "got" / "model.onnx").exists()
    code, out, _ = run(monkeypatch, capsys, "registry", "verify", f"{reg}/demo@champion")
    assert code == 0 and out.startswith("ok: demo@2")
    code, out, _ = run(
        monkeypatch,
        capsys,
        "registry",
        "replicate",
        f"{reg}/demo@champion",
        "--to",
        f"file://{tmp_path}/copy",
        "--quiet",
    )
    assert code == 0 and json.loads(out)["status"] == "copied"
    code, out, _ = run(monkeypatch, capsys, "registry", "list", f"file://{tmp_path}/copy", "--json")
    assert json.loads(out)[0]["aliases"] == {"champion": 2}
    code, out, _ = run(monkeypatch, capsys, "registry", "delete", f"{reg}/demo@1")
    assert code == 0 and out.strip() == "deleted demo@1"
    code, out, _ = run(monkeypatch, capsys, "registry", "list", reg, "--json")
    assert json.loads(out)[0]["versions"] == [2]
    code, out, _ = run(monkeypatch, capsys, "registry", "clean", reg)
    assert code == 0 and out.strip() == "removed 0 staging uploads"


def test_errors_are_one_line_and_exit_code_2(monkeypatch, capsys, tmp_path, demo_bundle):
    bad = shutil.copytree(demo_bundle, tmp_path / "bad")
    (bad / "model.onnx").write_bytes((bad / "model.onnx").read_bytes()[:-1])
    code, _, err = run(monkeypatch, capsys, "registry", "verify", str(bad))
    assert code == 2 and "model.onnx" in err and "Traceback" not in err
    code, _, err = run(
        monkeypatch, capsys, "registry", "alias", f"file://{tmp_path}/r", "demo", "latest", "1"
    )
    assert code == 2 and "reserved" in err
    code, _, err = run(
        monkeypatch, capsys, "registry", "pull", f"file://{tmp_path}/r/demo@1", str(tmp_path / "x")
    )
    assert code == 2 and "no committed versions" in err
