"""Kubernetes manifests: every object validates against the Kubernetes 1.30 schemas (strict).

Applying them (`skyclass deploy --apply`) needs a reachable cluster, which tests do not have.
"""

import kubernetes_validate
import pytest
import yaml

from skyclass.cloud import StateStore, deploy, parse_spec, render_kubernetes

SPEC = """\
name: tickets
model: s3://models/registry/tickets@3
regions:
  - name: gcp-europe-west4
    provider: kubernetes
    cloud: gcp
    zone: eu
    replicas: 3
    context: gke-eu
    namespace: ml
    image: registry.example.com/skyclass:0.1.0
    resources: {cpu: "1", memory: 1Gi}
    max_replicas: 10
"""


@pytest.mark.parametrize("track", ["primary", "canary"])
def test_manifests_validate_strictly(track):
    spec = parse_spec(SPEC)
    manifests = render_kubernetes(spec, spec.regions[0], track, spec.model, 3)
    assert [m["kind"] for m in manifests] == [
        "ConfigMap",
        "Deployment",
        "Service",
        "HorizontalPodAutoscaler",
        "PodDisruptionBudget",
    ]
    for manifest in manifests:
        kubernetes_validate.validate(manifest, "1.30", strict=True)
    config, dep, svc, hpa, pdb = manifests
    suffix = "" if track == "primary" else "-canary"
    assert dep["metadata"] == {**config["metadata"], "name": f"tickets-gcp-europe-west4{suffix}"}
    assert config["data"]["MODEL_URI"] == "s3://models/registry/tickets@3"
    container = dep["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/v2/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/v2/health/live"
    assert container["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
    assert dep["spec"]["replicas"] == 3 and hpa["spec"]["maxReplicas"] == 10
    assert svc["spec"]["selector"] == dep["spec"]["selector"]["matchLabels"]
    assert pdb["spec"]["selector"] == dep["spec"]["selector"]


def test_invalid_manifest_is_caught_by_the_validator():
    spec = parse_spec(SPEC)
    dep = render_kubernetes(spec, spec.regions[0], "primary", spec.model, 1)[1]
    dep["spec"]["replicas"] = "three"
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(dep, "1.30", strict=True)


def test_deploy_renders_files_without_a_cluster(tmp_path):
    spec_path = tmp_path / "k8s.yaml"
    spec_path.write_text(SPEC)
    handle = deploy(spec_path, state_dir=tmp_path / "state", gateway=False)
    out = StateStore(tmp_path / "state").folder("tickets") / "kubernetes"
    docs = list(yaml.safe_load_all((out / "gcp-europe-west4" / "primary.yaml").read_text()))
    assert [d["kind"] for d in docs][:2] == ["ConfigMap", "Deployment"]
    assert 'ENTRYPOINT ["skyclass"]' in (out / "Dockerfile").read_text()
    assert handle.replicas() == []  # no endpoints listed: the gateway has nothing to reach
