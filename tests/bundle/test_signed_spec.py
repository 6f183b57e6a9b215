"""The deploy spec's trust keys: read when the spec loads (errors name line and field), and
kubernetes replicas get them too (mounted from their ConfigMap, one --trusted-key each; the
manifests still validate strictly against Kubernetes 1.30)."""

import kubernetes_validate
import pytest

from skyclass.bundle import generate_key
from skyclass.cloud import parse_spec, render_kubernetes
from skyclass.errors import ConfigError

SPEC = """\
name: tickets
model: s3://models/registry/tickets@3
trust: {keys: [keys/new.pub, keys/old.pub]}
regions:
  - {name: gcp-eu, provider: kubernetes, endpoints: ["https://eu.example.com"]}
  - {name: aws-us, provider: kubernetes, endpoints: ["https://us.example.com"], trust: {keys: [keys/new.pub]}}
"""


def test_trusted_keys_reach_kubernetes_replicas(tmp_path):
    new = generate_key(tmp_path / "keys" / "new")[1]
    generate_key(tmp_path / "keys" / "old")
    spec = parse_spec(SPEC, base=tmp_path)
    config, deployment, *rest = render_kubernetes(spec, spec.regions[0], "primary", spec.model, 2)
    for manifest in (config, deployment, *rest):
        kubernetes_validate.validate(manifest, "1.30", strict=True)
    assert config["data"]["trust-0.pem"] == new.read_text()
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["args"][-4:] == [
        "--trusted-key",
        "/etc/skyclass/trust/trust-0.pem",
        "--trusted-key",
        "/etc/skyclass/trust/trust-1.pem",
    ]
    assert container["volumeMounts"] == [
        {"name": "trust", "mountPath": "/etc/skyclass/trust", "readOnly": True}
    ]
    volume = deployment["spec"]["template"]["spec"]["volumes"][0]
    assert volume["configMap"]["name"] == config["metadata"]["name"]
    # a region's own trust replaces the top level one
    config, deployment, *_ = render_kubernetes(spec, spec.regions[1], "primary", spec.model, 1)
    assert sorted(k for k in config["data"] if k.startswith("trust-")) == ["trust-0.pem"]
    assert config["data"]["trust-0.pem"] == new.read_text()


def test_a_missing_or_private_trust_key_names_line_and_field(tmp_path):
    private, _ = generate_key(tmp_path / "team")
    text = SPEC.replace("keys/old.pub", "keys/gone.pub")
    (tmp_path / "keys").mkdir()
    generate_key(tmp_path / "keys" / "new")
    with pytest.raises(
        ConfigError, match=r"line 3: trust.keys\[1\]: trusted key .*gone.pub: cannot read"
    ):
        parse_spec(text, "spec.yaml", base=tmp_path)
    text = SPEC.replace("trust: {keys: [keys/new.pub]}", f"trust: {{keys: [{private}]}}")
    generate_key(tmp_path / "keys" / "old")
    with pytest.raises(
        ConfigError, match=r"regions\[1\].trust.keys\[0\]: trusted key .* is a private key"
    ):
        parse_spec(text, "spec.yaml", base=tmp_path)
