"""The registry against real object-store APIs on loopback: S3 (moto), GCS emulator, Azurite.

A bundle made here is pushed to one cloud, replicated to the other two, and
loads and predicts identically from all three through plain registry URIs.
"""

import numpy as np
import pytest

from skyclass.bundle import Registry, load, replicate
from skyclass.bundle.stores import FsspecStore
from skyclass.errors import IntegrityError, NotFoundError
from tests.bundle.factory import make_table
from tests.bundle.test_registry import push_concurrently, push_process

KINDS = ["s3", "gcs", "azure"]


@pytest.fixture(params=KINDS)
def cloud(request, monkeypatch):
    """One emulator, with its endpoint/credentials in the environment (as a deployment would)."""
    store = request.getfixturevalue(f"{request.param}_store")
    for key, value in store.env.items():
        monkeypatch.setenv(key, value)
    return store


@pytest.fixture
def all_clouds(request, monkeypatch):
    stores = [request.getfixturevalue(f"{kind}_store") for kind in KINDS]
    for store in stores:
        for key, value in store.env.items():
            monkeypatch.setenv(key, value)
    return stores


def test_push_alias_load_on_each_cloud(cloud, demo_bundle, other_bundle):
    url = cloud.unique_url("reg")
    reg = Registry(url)
    assert reg.push(demo_bundle) == 1
    assert reg.push(other_bundle) == 2
    reg.set_alias("demo", "champion", 1)
    assert reg.list() == [
        {"name": "demo", "versions": [1, 2], "latest": 2, "aliases": {"champion": 1}}
    ]
    table = make_table(40, seed=2)
    bundle = load(f"{url}/demo@champion")
    assert bundle.version == 1
    np.testing.assert_array_equal(
        bundle.predict_proba(table), load(demo_bundle).predict_proba(table)
    )
    assert load(f"{url}/demo@latest").version == 2


def test_flipped_byte_in_the_bucket_is_refused(cloud, demo_bundle):
    url = cloud.unique_url("tamper")
    reg = Registry(url)
    reg.push(demo_bundle)
    fs = cloud.filesystem()
    path = reg.store.path("demo/versions/1/golden.json")
    data = bytearray(fs.cat_file(path))
    data[10] ^= 0x20
    fs.pipe_file(path, bytes(data))
    with pytest.raises(IntegrityError, match="golden.json"):
        load(f"{url}/demo@1")


def test_crash_mid_push_leaves_no_visible_version(cloud, demo_bundle, monkeypatch):
    url = cloud.unique_url("crash")
    writes = []
    original = FsspecStore.write

    def crashing_write(self, rel, data):
        if "/versions/" in rel:
            writes.append(rel)
            raise ConnectionError("simulated crash while writing the version")
        original(self, rel, data)

    monkeypatch.setattr(FsspecStore, "write", crashing_write)
    with pytest.raises(ConnectionError):
        Registry(url).push(demo_bundle)
    monkeypatch.setattr(FsspecStore, "write", original)
    assert writes, "the crash point was never reached"
    reg = Registry(url)
    assert reg.list() == [] and reg.versions("demo") == []
    with pytest.raises(NotFoundError):
        load(f"{url}/demo@latest")
    assert reg.push(demo_bundle) == 2


def test_killed_push_process_on_s3_leaves_no_visible_version(s3_store, demo_bundle, monkeypatch):
    import signal
    import time

    for key, value in s3_store.env.items():
        monkeypatch.setenv(key, value)
    url = s3_store.unique_url("kill")
    proc = push_process(url, demo_bundle, 0.3, env=s3_store.env)
    reg = Registry(url)
    deadline = time.monotonic() + 120
    while not reg.store.listdir("demo/versions/1"):  # claimed 1 and started writing it
        assert proc.poll() is None, proc.stderr.read().decode()[-800:]
        assert time.monotonic() < deadline, "push never reached the copy stage"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert reg.list() == [] and reg.versions("demo") == []
    assert reg.store.listdir("demo/staging")  # the crashed push's leftovers, never visible
    assert reg.push(demo_bundle) == 2


def test_concurrent_pushes_never_share_a_version(cloud, demo_bundle):
    url = cloud.unique_url("race")
    registries = [Registry(url) for _ in range(4)]
    results, errors = push_concurrently(registries, demo_bundle)
    assert errors == []
    assert len(set(results)) == 4
    assert Registry(url).versions("demo") == sorted(results)


def test_replicate_across_all_three_clouds(all_clouds, demo_bundle, other_bundle, monkeypatch):
    s3, gcs, azure = all_clouds
    source = s3.unique_url("primary")
    targets = [gcs.unique_url("replica"), azure.unique_url("replica")]
    reg = Registry(source)
    reg.push(other_bundle)
    reg.push(demo_bundle)
    reg.set_alias("demo", "champion", 2)

    # an interrupted first run: the second destination fails after one file
    original = FsspecStore.write
    count = {"n": 0}

    def flaky_write(self, rel, data):
        if self.url == targets[1] and "/versions/" in rel:
            count["n"] += 1
            if count["n"] > 1:
                raise ConnectionError("network dropped")
        original(self, rel, data)

    monkeypatch.setattr(FsspecStore, "write", flaky_write)
    with pytest.raises(ConnectionError):
        replicate(f"{source}/demo@champion", to=targets)
    monkeypatch.setattr(FsspecStore, "write", original)
    assert Registry(targets[1]).versions("demo") == []  # nothing visible yet

    reports = replicate(f"{source}/demo@champion", to=targets, progress=True)
    assert [r["status"] for r in reports] == ["up-to-date", "copied"]
    assert (
        reports[0]["copied"] == [] and len(reports[1]["copied"]) == 4
    )  # one file was already there
    assert all(r["version"] == 2 for r in reports)

    table = make_table(60, seed=8)
    expected = load(demo_bundle).predict_proba(table)
    for url in [source, *targets]:
        bundle = load(f"{url}/demo@champion")
        assert bundle.version == 2
        np.testing.assert_array_equal(bundle.predict_proba(table), expected)

    again = replicate(f"{source}/demo@2", to=targets)
    assert [r["status"] for r in again] == ["up-to-date", "up-to-date"]
    # a corrupted replica is repaired by the next run
    fs = gcs.filesystem()
    path = Registry(targets[0]).store.path("demo/versions/2/model.onnx")
    fs.pipe_file(path, b"garbage")
    with pytest.raises(IntegrityError):
        load(f"{targets[0]}/demo@2")
    repaired = replicate(f"{source}/demo@2", to=[targets[0]])
    assert repaired[0]["status"] == "repaired" and repaired[0]["copied"] == ["model.onnx"]
    np.testing.assert_array_equal(load(f"{targets[0]}/demo@2").predict_proba(table), expected)


def test_replicate_refuses_a_different_model_at_the_same_number(
    all_clouds, demo_bundle, other_bundle
):
    s3, gcs, _ = all_clouds
    source, target = s3.unique_url("src"), gcs.unique_url("dst")
    Registry(source).push(demo_bundle)
    Registry(target).push(other_bundle)
    with pytest.raises(IntegrityError, match="different demo version 1"):
        replicate(f"{source}/demo@1", to=[target])


def test_load_a_plain_bundle_directory_or_zip_from_a_bucket(cloud, demo_bundle, tmp_path):
    from tests.bundle.factory import make_bundle

    base = cloud.unique_url("plain")
    fs = cloud.filesystem()
    prefix = base.split("://", 1)[1]
    for path in demo_bundle.iterdir():
        fs.pipe_file(f"{prefix}/demo/{path.name}", path.read_bytes())
    zipped = make_bundle(tmp_path / "demo.skyclass")
    fs.pipe_file(f"{prefix}/demo.skyclass", zipped.read_bytes())
    table = make_table(20, seed=11)
    expected = load(demo_bundle).predict_proba(table)
    np.testing.assert_array_equal(load(f"{base}/demo").predict_proba(table), expected)
    np.testing.assert_array_equal(load(f"{base}/demo.skyclass").predict_proba(table), expected)
    with pytest.raises(NotFoundError):
        load(f"{base}/nothing-here")
