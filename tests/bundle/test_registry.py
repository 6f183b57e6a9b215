"""Registry on the local filesystem and in memory: versions, aliases, pull, delete, crashes, races."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from skyclass.bundle import Registry, load, parse_uri
from skyclass.bundle._format import dumps
from skyclass.errors import InputError, IntegrityError, NotFoundError
from tests.bundle.factory import make_table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def reg(tmp_path):
    return Registry(f"file://{tmp_path}/registry")


def test_push_list_resolve_pull_load(reg, demo_bundle, other_bundle, tmp_path):
    assert reg.list() == []
    assert reg.push(demo_bundle) == 1
    assert reg.push(other_bundle) == 2
    assert reg.list() == [{"name": "demo", "versions": [1, 2], "latest": 2, "aliases": {}}]
    assert reg.resolve("demo", "latest") == 2 and reg.resolve("demo", "v1") == 1
    assert reg.manifest("demo", 1)["version"] == 1
    pulled = reg.pull("demo", 1, tmp_path / "pulled")
    assert load(pulled).version == 1
    assert reg.pull("demo", 1, tmp_path / "pulled") == pulled  # idempotent
    with pytest.raises(InputError, match="holds something else"):
        reg.pull("demo", 2, tmp_path / "pulled")
    table = make_table(30, seed=4)
    assert load(str(tmp_path / "registry" / "demo@latest")).version == 2  # a plain path works too
    from_uri = load(f"{reg.url}/demo@1")
    assert from_uri.version == 1 and from_uri.name == "demo"
    np.testing.assert_array_equal(
        from_uri.predict_proba(table), load(demo_bundle).predict_proba(table)
    )
    np.testing.assert_array_equal(
        load(f"{reg.url}/demo@latest").predict_proba(table), load(other_bundle).predict_proba(table)
    )


def test_unknown_names_versions_and_aliases(reg, demo_bundle):
    with pytest.raises(NotFoundError, match="no committed versions"):
        reg.resolve("demo", 1)
    reg.push(demo_bundle)
    with pytest.raises(NotFoundError, match="no version 7; versions: \\[1\\]"):
        reg.resolve("demo", 7)
    with pytest.raises(NotFoundError, match="no alias 'champion'"):
        reg.resolve("demo", "champion")
    with pytest.raises(InputError, match="must look like"):
        parse_uri("s3://bucket/demo")


def test_aliases_rules_and_history(reg, demo_bundle, other_bundle):
    reg.push(demo_bundle)
    reg.push(other_bundle)
    reg.set_alias("demo", "champion", 1)
    reg.set_alias("demo", "challenger", 2)
    reg.set_alias("demo", "champion", 2)
    assert reg.aliases("demo") == {"champion": 2, "challenger": 2}
    assert [h["version"] for h in reg.alias_history("demo", "champion")] == [1, 2]
    assert load(f"{reg.url}/demo@champion").version == 2
    for bad, message in [
        ("latest", "reserved"),
        ("v3", "reserved"),
        ("9lives", "invalid"),
        ("a b", "invalid"),
    ]:
        with pytest.raises(InputError, match=message):
            reg.set_alias("demo", bad, 1)
    with pytest.raises(NotFoundError):
        reg.set_alias("demo", "ghost", 5)
    reg.delete_alias("demo", "challenger")
    assert reg.aliases("demo") == {"champion": 2}
    assert [h["action"] for h in reg.alias_history("demo", "challenger")] == ["set", "delete"]


def test_delete_never_reuses_the_number(reg, demo_bundle, other_bundle):
    reg.push(demo_bundle)
    reg.push(other_bundle)
    reg.set_alias("demo", "champion", 2)
    with pytest.raises(InputError, match="aliased as \\['champion'\\]"):
        reg.delete("demo", 2)
    reg.set_alias("demo", "champion", 1)
    reg.delete("demo", 2)
    assert reg.versions("demo") == [1]
    assert reg.push(other_bundle) == 3


def test_push_refuses_a_tampered_bundle_and_load_refuses_tampered_storage(
    reg, demo_bundle, tmp_path
):
    import shutil

    bad = shutil.copytree(demo_bundle, tmp_path / "bad")
    (bad / "card.md").write_text("# edited after packaging\n")
    with pytest.raises(IntegrityError, match="card.md"):
        reg.push(bad)
    assert reg.list() == []
    reg.push(demo_bundle)
    stored = Path(reg.store.path("demo/versions/1/model.onnx"))
    data = bytearray(stored.read_bytes())
    data[100] ^= 0xFF
    stored.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="model.onnx"):
        load(f"{reg.url}/demo@1")
    with pytest.raises(IntegrityError, match="model.onnx"):
        reg.verify("demo", 1)
    manifest_path = Path(reg.store.path("demo/versions/1/manifest.json"))
    manifest = json.loads(manifest_path.read_text())
    manifest["labels"] = ["x", "y", "z"]
    manifest_path.write_bytes(dumps(manifest))
    with pytest.raises(IntegrityError, match="differs from the one committed"):
        reg.fetch("demo", 1)


def test_push_a_skyclass_zip(reg, tmp_path):
    from tests.bundle.factory import make_bundle

    zipped = make_bundle(tmp_path / "z.skyclass", name="zipped")
    assert reg.push(zipped) == 1
    assert load(f"{reg.url}/zipped@1").name == "zipped"
    assert reg.push(load(f"{reg.url}/zipped@1")) == 2  # a loaded Bundle (here: from a registry)
    assert reg.manifest("zipped", 2)["version"] == 2


def test_name_override_and_bad_names(reg, demo_bundle):
    assert reg.push(demo_bundle, name="churn.v2-model") == 1
    assert load(f"{reg.url}/churn.v2-model@1").name == "churn.v2-model"
    with pytest.raises(InputError, match="model name"):
        reg.push(demo_bundle, name="../escape")


def push_concurrently(registries, bundle) -> tuple[list[int], list[Exception]]:
    """Push ``bundle`` from every registry at once (one thread each, released together).

    Returns the versions the pushes got and the exceptions any of them raised.
    """
    barrier = threading.Barrier(len(registries))
    results, errors = [], []

    def push(registry):
        try:
            barrier.wait()
            results.append(registry.push(bundle))
        except Exception as err:  # noqa: BLE001 - returned to the caller
            errors.append(err)

    threads = [threading.Thread(target=push, args=(r,)) for r in registries]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.mark.parametrize("exclusive", [True, False], ids=["conditional-create", "write-then-list"])
def test_concurrent_pushes_get_distinct_versions_threads(tmp_path, demo_bundle, exclusive):
    url = f"file://{tmp_path}/registry" if exclusive else "memory://race-" + tmp_path.name
    registries = [Registry(url) for _ in range(6)]
    for registry in registries:
        registry.store._exclusive = exclusive  # force the protocol under test
    results, errors = push_concurrently(registries, demo_bundle)
    assert errors == []
    assert len(set(results)) == len(registries)
    assert Registry(url).versions("demo") == sorted(results)


PUSH_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from skyclass.bundle import Registry
    from skyclass.bundle.stores import FsspecStore, LocalStore
    delay = float(sys.argv[3])
    def slowed(original):
        def write(self, rel, data):
            time.sleep(delay)
            original(self, rel, data)
        return write
    FsspecStore.write = slowed(FsspecStore.write)
    LocalStore.write = slowed(LocalStore.write)
    print(Registry(sys.argv[1]).push(sys.argv[2]), flush=True)
    """
)


def push_process(url: str, bundle: Path, delay: float, env: dict | None = None) -> subprocess.Popen:
    """A ``Registry(url).push(bundle)`` in a child process, each store write slowed by ``delay`` s."""
    env = {**os.environ, **(env or {}), "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    return subprocess.Popen(
        [sys.executable, "-c", PUSH_SCRIPT, url, str(bundle), str(delay)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def test_concurrent_pushes_from_processes(tmp_path, demo_bundle):
    url = f"file://{tmp_path}/registry"
    procs = [push_process(url, demo_bundle, 0.0) for _ in range(3)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1].decode()[-500:] for o in outputs]
    versions = sorted(int(o[0]) for o in outputs)
    assert versions == [1, 2, 3]


def test_killed_push_leaves_no_visible_version(tmp_path, demo_bundle):
    url = f"file://{tmp_path}/registry"
    proc = push_process(url, demo_bundle, 0.3)
    versions_dir = tmp_path / "registry" / "demo" / "versions" / "1"
    deadline = time.monotonic() + 120
    while not versions_dir.exists():  # wait until it has claimed 1 and started copying
        assert proc.poll() is None, proc.stderr.read().decode()[-500:]
        assert time.monotonic() < deadline, "push never reached the copy stage"
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    reg = Registry(url)
    assert reg.list() == [] and reg.versions("demo") == []
    with pytest.raises(NotFoundError):
        load(f"{url}/demo@latest")
    assert reg.push(demo_bundle) == 2  # the crashed push's number is never reused
    assert reg.versions("demo") == [2]
    assert reg.store.listdir("demo/staging")  # the crashed push's upload, never visible
    assert reg.clean_staging(older_than_s=3600) == 0  # too recent to be surely dead
    assert reg.clean_staging(older_than_s=0) == 1
    assert reg.store.listdir("demo/staging") == []
    assert load(f"{url}/demo@2").version == 2


def test_concurrent_alias_moves_keep_every_history_entry(reg, demo_bundle, other_bundle):
    reg.push(demo_bundle)
    reg.push(other_bundle)
    movers = [Registry(reg.url) for _ in range(8)]
    barrier = threading.Barrier(len(movers))

    def move(i, registry):
        barrier.wait()
        registry.set_alias("demo", "champion", 1 + i % 2)

    threads = [threading.Thread(target=move, args=(i, r)) for i, r in enumerate(movers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    history = reg.alias_history("demo", "champion")
    assert len(history) == 8 and sorted(h["version"] for h in history) == [1] * 4 + [2] * 4
    assert reg.resolve("demo", "champion") == history[-1]["version"]
