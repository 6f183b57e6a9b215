"""Local provider failure path with a real `skyclass serve` process."""

import psutil
import pytest

from skyclass.cloud import StateStore, connect, deploy
from skyclass.errors import SkyclassError
from tests.bundle.factory import make_bundle
from tests.helpers import free_port


def test_a_tampered_model_fails_the_update_and_the_running_replica_stays(tmp_path):
    bundle = make_bundle(tmp_path / "b", name="demo")
    (bundle / "model.onnx").write_bytes(b"not an onnx graph")  # breaks the recorded sha256
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        f"name: bad\nmodel: {tmp_path / 'ok'}\nregions:\n  - {{name: aws-us, cloud: aws}}\n"
        f"gateway: {{listen: '127.0.0.1:{free_port()}'}}\n"
    )
    make_bundle(tmp_path / "ok", name="demo")
    state = tmp_path / "state"
    dep = deploy(spec, state_dir=state, gateway=False)
    try:
        (good,) = dep.replicas()
        spec.write_text(spec.read_text().replace(str(tmp_path / "ok"), str(bundle)))
        with pytest.raises(SkyclassError, match="model.onnx.*changed or truncated"):
            deploy(spec, state_dir=state, gateway=False)
        # verified before anything started: the good replica still serves and is still recorded
        assert [r.id for r in StateStore(state).replicas("bad")] == [good.id]
        assert psutil.pid_exists(good.pid)
    finally:
        connect("bad", state).down()
    assert not psutil.pid_exists(good.pid) or psutil.Process(good.pid).status() == "zombie"
