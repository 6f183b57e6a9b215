"""Signed bundles on real object-store APIs (moto S3, GCS emulator, Azurite).

Tamper drill: a signed model is replicated to three clouds, an attacker with write access to
one of them swaps the model and fixes its manifest entry and COMMITTED marker; only that
cloud's copy is refused. On each cloud: a valid signature passes, an untrusted one is
refused, and a version signed before a key rotation passes while the old key is listed."""

import numpy as np
import pytest

from skyclass.bundle import Registry, generate_key, load, replicate
from skyclass.errors import IntegrityError
from tests.bundle.factory import make_table
from tests.bundle.signing import swap_model

KINDS = ["s3", "gcs", "azure"]


@pytest.fixture
def clouds(request, monkeypatch):
    stores = {kind: request.getfixturevalue(f"{kind}_store") for kind in KINDS}
    for store in stores.values():
        for key, value in store.env.items():
            monkeypatch.setenv(key, value)
    return stores


def test_tampered_copy_in_one_cloud_is_refused_the_others_load(
    clouds, tmp_path, demo_bundle, other_bundle
):
    private, public = generate_key(tmp_path / "team")
    urls = {kind: store.unique_url("signed") for kind, store in clouds.items()}
    source = Registry(urls["s3"])
    source.push(demo_bundle, sign=private, alias="champion")
    reports = replicate(
        f"{urls['s3']}/demo@champion", to=[urls["gcs"], urls["azure"]], trusted_keys=[public]
    )
    assert [r["status"] for r in reports] == ["copied", "copied"]
    assert all("model.sig" in r["copied"] for r in reports)

    gcs = Registry(urls["gcs"]).store
    swap_model(
        lambda name: gcs.read(f"demo/versions/1/{name}"),
        lambda name, data: gcs.write(f"demo/versions/1/{name}", data),
        other_bundle,
    )
    table = make_table(25, seed=5)
    expected = load(demo_bundle).predict_proba(table)
    # hashes, COMMITTED marker and golden rows all agree: without a trusted key it would serve
    assert not np.allclose(load(f"{urls['gcs']}/demo@1").predict_proba(table), expected)
    with pytest.raises(IntegrityError, match=r"gs://.*demo@1: the bundle was altered after"):
        load(f"{urls['gcs']}/demo@champion", trusted_keys=[public])
    for kind in ("s3", "azure"):
        good = load(f"{urls[kind]}/demo@champion", trusted_keys=[public])
        np.testing.assert_array_equal(good.predict_proba(table), expected)
    # nothing is copied onward from the altered cloud
    with pytest.raises(IntegrityError, match=r"\(not replicated\): the bundle was altered"):
        replicate(
            f"{urls['gcs']}/demo@1",
            to=[clouds["azure"].unique_url("onward")],
            trusted_keys=[public],
        )


@pytest.mark.parametrize("kind", KINDS)
def test_valid_untrusted_and_rotated_signatures_on_each_cloud(clouds, kind, tmp_path, demo_bundle):
    old, new = (generate_key(tmp_path / name) for name in ("old", "new"))
    url = clouds[kind].unique_url("rotation")
    reg = Registry(url)
    reg.push(demo_bundle, sign=old[0])  # signed before the rotation
    reg.push(demo_bundle, sign=new[0])
    assert load(f"{url}/demo@1", trusted_keys=[old[1]]).signed_by.path == old[1]  # valid
    assert load(f"{url}/demo@1", trusted_keys=[new[1], old[1]]).version == 1  # old key still listed
    assert load(f"{url}/demo@2", trusted_keys=[new[1], old[1]]).signed_by.path == new[1]
    with pytest.raises(IntegrityError, match="which is not trusted here"):
        load(f"{url}/demo@1", trusted_keys=[new[1]])  # old key dropped
