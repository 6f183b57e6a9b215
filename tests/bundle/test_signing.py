"""Signed bundles (OpenSSF model signing): what a trusted key accepts and what it refuses."""

import base64
import doctest
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

import skyclass.bundle._sign
import skyclass.bundle._signature
import skyclass.bundle._trust
import skyclass.bundle.stores._fsspec
from skyclass.bundle import (
    SIGNATURE,
    Registry,
    SigningKey,
    TrustedKey,
    generate_key,
    load,
    read_files,
    replicate,
    sign,
    write_zip,
)
from skyclass.errors import ConfigError, InputError, IntegrityError
from tests.bundle.factory import make_table
from tests.bundle.signing import make_ca, make_leaf, swap_model


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """Three key pairs: the team's old and new keys (rotation) and a stranger's."""
    folder = tmp_path_factory.mktemp("keys")
    return {name: generate_key(folder / name) for name in ("old", "new", "stranger")}


@pytest.fixture
def bundle(tmp_path, demo_bundle):
    """A private copy of the demo bundle to sign and tamper with."""
    return shutil.copytree(demo_bundle, tmp_path / "demo")


def _files_of(folder):
    def read(name):
        path = folder / name
        return path.read_bytes() if path.exists() else None

    def write(name, data):
        (folder / name).write_bytes(data)

    return read, write


def test_a_valid_signature_loads_and_the_upstream_verifier_agrees(bundle, keys):
    private, public = keys["new"]
    assert sign(bundle, private) == bundle / SIGNATURE
    loaded = load(bundle, trusted_keys=[keys["old"][1], public])
    assert loaded.signed_by == TrustedKey.load(public)
    assert loaded.signed_by.fingerprint == SigningKey(private).fingerprint
    # the very file model-signing's own CLI checks
    upstream = subprocess.run(
        [sys.executable, "-m", "model_signing", "verify", "key", str(bundle)]
        + ["--signature", str(bundle / SIGNATURE), "--public_key", str(public)],
        capture_output=True,
        text=True,
    )
    assert upstream.returncode == 0 and "Verification succeeded" in upstream.stdout


def test_unsigned_is_refused_only_where_keys_are_trusted(bundle, keys):
    assert load(bundle).signed_by is None  # no trusted keys: hashes and golden rows only
    with pytest.raises(IntegrityError, match=r"not signed \(no model.sig\).*--sign KEY"):
        load(bundle, trusted_keys=[keys["new"][1]])


def test_a_signature_by_an_untrusted_key_is_refused(bundle, keys):
    sign(bundle, keys["stranger"][0])
    stranger = SigningKey(keys["stranger"][0]).fingerprint[:16]
    with pytest.raises(IntegrityError, match=f"made by key {stranger}, which is not trusted"):
        load(bundle, trusted_keys=[keys["old"][1], keys["new"][1]])


def test_model_and_manifest_entry_swapped_pass_the_hashes_not_the_signature(
    bundle, keys, demo_bundle, other_bundle
):
    sign(bundle, keys["new"][0])
    swap_model(*_files_of(bundle), other_bundle)
    # the hole signatures close: hashes and golden rows agree, and the model is another one
    altered = load(bundle)
    table = make_table(30, seed=4)
    assert not np.allclose(altered.predict_proba(table), load(demo_bundle).predict_proba(table))
    np.testing.assert_allclose(
        altered.predict_proba(table), load(other_bundle).predict_proba(table), atol=1e-6
    )
    with pytest.raises(
        IntegrityError,
        match=r"altered after trusted key .* signed it \(changed: golden.json, manifest.json, "
        r"model.onnx\)",
    ):
        load(bundle, trusted_keys=[keys["new"][1]])


def test_an_altered_signature_is_refused(bundle, keys):
    sign(bundle, keys["new"][0])
    sig = json.loads((bundle / SIGNATURE).read_bytes())
    envelope = sig["dsseEnvelope"]["signatures"][0]
    raw = bytearray(base64.b64decode(envelope["sig"]))
    raw[12] ^= 0x01
    envelope["sig"] = base64.b64encode(bytes(raw)).decode()
    (bundle / SIGNATURE).write_text(json.dumps(sig))
    with pytest.raises(IntegrityError, match="does not verify against any trusted key"):
        load(bundle, trusted_keys=[keys["new"][1]])
    (bundle / SIGNATURE).write_text("{not json")
    with pytest.raises(IntegrityError, match="not a model-signing signature"):
        load(bundle, trusted_keys=[keys["new"][1]])


def test_key_rotation_old_signatures_pass_while_the_old_key_is_listed(bundle, keys):
    sign(bundle, keys["old"][0])
    both = [keys["new"][1], keys["old"][1]]
    assert load(bundle, trusted_keys=both).signed_by.path == keys["old"][1]
    with pytest.raises(IntegrityError, match="not trusted"):
        load(bundle, trusted_keys=[keys["new"][1]])  # the old key dropped: re-sign first
    sign(bundle, keys["new"][0])  # re-signing replaces model.sig
    assert load(bundle, trusted_keys=[keys["new"][1]]).signed_by.path == keys["new"][1]


def test_certificate_signing_chains_to_a_trusted_ca(tmp_path, bundle):
    ca, other_ca = make_ca(tmp_path, "team-ca"), make_ca(tmp_path, "other-ca")
    leaf_key, leaf_cert = make_leaf(tmp_path, ca, "release-bot")
    with pytest.raises(ConfigError, match="give the issuing CA's certificate"):
        SigningKey(leaf_key, certificate=leaf_cert)
    sign(bundle, SigningKey(leaf_key, certificate=leaf_cert, chain=[ca[1]]))
    assert load(bundle, trusted_keys=[ca[1]]).signed_by.kind == "certificate"
    with pytest.raises(IntegrityError, match="certificate CN=release-bot does not verify"):
        load(bundle, trusted_keys=[other_ca[1]])
    with pytest.raises(IntegrityError, match="certificate CN=release-bot, which is not trusted"):
        load(bundle, trusted_keys=[generate_key(tmp_path / "plain")[1]])
    with pytest.raises(ConfigError, match="not for the key"):
        SigningKey(generate_key(tmp_path / "wrong")[0], certificate=leaf_cert, chain=[ca[1]])


def test_bad_keys_are_config_errors(tmp_path, keys):
    with pytest.raises(ConfigError, match="is a private key: replicas need only the public half"):
        TrustedKey.load(keys["new"][0])
    (tmp_path / "junk.pub").write_text("hello")
    with pytest.raises(ConfigError, match="not a PEM public key or certificate"):
        TrustedKey.load(tmp_path / "junk.pub")
    with pytest.raises(ConfigError, match="not a readable PEM private key"):
        SigningKey(keys["new"][1])
    with pytest.raises(ConfigError, match="the list is empty"):
        load("unused", trusted_keys=[])
    with pytest.raises(ConfigError, match="already exist"):
        generate_key(keys["new"][0].with_suffix(""))


def test_push_sign_signs_the_stored_version_and_refuses_a_rollback(tmp_path, demo_bundle, keys):
    reg = Registry(f"file://{tmp_path}/reg")
    trusted = [keys["new"][1]]
    assert reg.push(demo_bundle, sign=keys["new"][0]) == 1
    assert reg.push(demo_bundle, sign=keys["new"][0]) == 2
    one = reg.load("demo", 1, trusted_keys=trusted)
    assert (one.version, one.manifest["version"]) == (1, 1)  # the signature covers the number
    # an attacker copies the signed version 1 over version 2 (COMMITTED marker fixed up)
    for name in ("manifest.json", "model.onnx", "golden.json", SIGNATURE):
        reg.store.write(f"demo/versions/2/{name}", reg.store.read(f"demo/versions/1/{name}"))
    marker = json.loads(reg.store.read("demo/versions/2/COMMITTED"))
    marker["manifest_sha256"] = json.loads(reg.store.read("demo/versions/1/COMMITTED"))[
        "manifest_sha256"
    ]
    reg.store.write("demo/versions/2/COMMITTED", json.dumps(marker).encode())
    with pytest.raises(IntegrityError, match="signed manifest.json is version 1 but it is stored"):
        load(f"file://{tmp_path}/reg/demo@2", trusted_keys=trusted)


def test_a_signed_bundle_is_pushed_byte_for_byte(tmp_path, bundle, keys):
    sign(bundle, keys["new"][0])
    reg = Registry(f"file://{tmp_path}/reg")
    assert reg.push(bundle) == 1
    stored = reg.fetch("demo", 1)
    assert stored == read_files(bundle)  # manifest and signature untouched
    assert reg.load("demo", 1, trusted_keys=[keys["new"][1]]).version == 1
    with pytest.raises(InputError, match="signed as model 'demo'"):
        reg.push(bundle, name="renamed")
    pulled = reg.pull("demo", 1, tmp_path / "pulled")
    assert load(pulled, trusted_keys=[keys["new"][1]]).signed_by is not None


def test_replicate_refuses_a_source_whose_signature_fails(tmp_path, demo_bundle, keys):
    source = Registry(f"file://{tmp_path}/src")
    source.push(demo_bundle, sign=keys["old"][0])
    (report,) = replicate(
        f"{source.url}/demo@1", to=[f"file://{tmp_path}/ok"], trusted_keys=[keys["old"][1]]
    )
    assert SIGNATURE in report["copied"]
    with pytest.raises(IntegrityError, match=r"demo@1 \(not replicated\).*not trusted"):
        replicate(
            f"{source.url}/demo@1", to=[f"file://{tmp_path}/no"], trusted_keys=[keys["new"][1]]
        )
    assert Registry(f"file://{tmp_path}/no").list() == []


@pytest.mark.parametrize(
    "module",
    [
        skyclass.bundle._sign,
        skyclass.bundle._signature,
        skyclass.bundle._trust,
        skyclass.bundle.stores._fsspec,
    ],
)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_deploy_placement_refuses_a_model_whose_signature_fails(tmp_path, demo_bundle, keys):
    from skyclass.cloud._placement import place  # the step deploy runs per region

    source = Registry(f"file://{tmp_path}/src")
    source.push(demo_bundle, sign=keys["old"][0], alias="champion")
    uri = f"{source.url}/demo@champion"
    store = f"file://{tmp_path}/region"
    assert place(uri, store, [str(keys["old"][1])]) == (f"{store}/demo@1", "1")
    with pytest.raises(IntegrityError, match="not trusted"):
        place(uri, f"file://{tmp_path}/other", [str(keys["new"][1])])
    with pytest.raises(IntegrityError, match="not trusted"):
        place(f"{source.url}/demo@1", None, [str(keys["new"][1])])  # pinned, no copy: still checked
    assert Registry(f"file://{tmp_path}/other").list() == []


def test_a_skyclass_zip_is_signed_in_place(tmp_path, demo_bundle, keys):
    zipped = write_zip(tmp_path / "demo.skyclass", read_files(demo_bundle))
    assert sign(zipped, keys["new"][0]) == zipped
    assert SIGNATURE in read_files(zipped)
    assert load(zipped, trusted_keys=[keys["new"][1]]).signed_by.path == keys["new"][1]


def test_a_signature_without_a_key_id_is_tried_against_every_trusted_key(bundle, keys):
    sign(bundle, keys["new"][0])
    sig = json.loads((bundle / SIGNATURE).read_bytes())
    del sig["verificationMaterial"]["publicKey"]["hint"]  # as model-signing < 1.0 wrote them
    (bundle / SIGNATURE).write_text(json.dumps(sig))
    both = [keys["old"][1], keys["new"][1]]
    assert load(bundle, trusted_keys=both).signed_by.path == keys["new"][1]
    with pytest.raises(IntegrityError, match="does not verify against any trusted key"):
        load(bundle, trusted_keys=[keys["old"][1]])
