"""The deployment spec: valid files load; invalid ones name the line and the field path."""

import pytest

from skyclass.cloud import load_spec, parse_spec
from skyclass.errors import ConfigError

GOOD = """\
name: tickets
model: file://./registry/tickets@champion
regions:
  - name: aws-us-east-1
    provider: local
    cloud: aws
    zone: us
    replicas: 2
    cost_per_hour: 0.40
    store: s3://models-aws/registry
  - name: gcp-europe-west4
    cloud: gcp
    zone: eu
    cost_per_hour: 0.35
  - name: managed-eu
    provider: external
    zone: eu
    endpoints: [http://127.0.0.1:9000]
gateway:
  listen: 127.0.0.1:8000
  policy: cost
  residency: {header: X-Data-Zone}
  health: {interval_ms: 500, timeout_ms: 300, unhealthy_after: 2, healthy_after: 2}
  retries: 2
  hedge_after_ms: null
  outlier: {consecutive_errors: 3, eject_ms: 5000}
rollout:
  canary: {model: file://./registry/tickets@challenger, weight: 10}
  shadow: {model: file://./registry/tickets@challenger, percent: 100}
"""


def test_good_spec_loads_and_resolves_relative_uris(tmp_path):
    path = tmp_path / "deploy.yaml"
    path.write_text(GOOD)
    spec = load_spec(path)
    assert spec.model == f"file://{tmp_path}/registry/tickets@champion"
    assert spec.regions[0].store == "s3://models-aws/registry"
    assert [r.replicas for r in spec.regions] == [2, 1, 1]
    assert spec.regions[1].provider == "local"
    assert spec.gateway.policy == "cost"
    assert spec.gateway.residency.header == "X-Data-Zone"
    assert spec.gateway.host_port() == ("127.0.0.1", 8000)
    assert spec.rollout.canary.weight == 10
    assert spec.rollout.shadow.model.endswith("tickets@challenger")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "    provider: local\n",
            "    provider: lambda\n",
            "line 5: regions[0].provider: Value error, unknown provider 'lambda'; use one of: "
            "external, kubernetes, local",
        ),
        (
            "    replicas: 2\n",
            "    replicas: many\n",
            "line 8: regions[0].replicas: Input should be a valid integer",
        ),
        (
            "  policy: cost\n",
            "  policy: fastest\n",
            "line 21: gateway.policy: Value error, unknown routing policy 'fastest'; use one of: "
            "cost, latency, least_outstanding, round_robin, weighted",
        ),
        (
            "  retries: 2\n",
            "  retries: 2\n  retry: 3\n",
            "line 25: gateway.retry: Extra inputs are not permitted",
        ),
        (
            "    endpoints: [http://127.0.0.1:9000]\n",
            "",
            "line 15: regions[2]: Value error, an external region needs",
        ),
        (
            "weight: 10}",
            "weight: 110}",
            "line 28: rollout.canary.weight: Input should be less than or equal to 100",
        ),
        (
            "  - name: gcp-europe-west4\n",
            "  - name: aws-us-east-1\n",
            "line 3: regions: Value error, region name 'aws-us-east-1' appears twice",
        ),
        ("name: tickets\n", "", "line 1: name: Field required"),
    ],
)
def test_errors_name_line_and_field_path(tmp_path, old, new, expected):
    assert old in GOOD
    path = tmp_path / "deploy.yaml"
    path.write_text(GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_spec(path)
    assert f"{path}: {expected}" in str(info.value)


def test_yaml_syntax_error_names_line():
    with pytest.raises(ConfigError, match=r"<spec>: line 2: not valid YAML"):
        parse_spec("name: t\n\tmodel: x\n")


def test_missing_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="cannot read spec"):
        load_spec(tmp_path / "nope.yaml")


def test_unknown_region_lookup_lists_names(tmp_path):
    path = tmp_path / "d.yaml"
    path.write_text(GOOD)
    with pytest.raises(ConfigError, match="regions: aws-us-east-1, gcp-europe-west4, managed-eu"):
        load_spec(path).region("mars-1")


def test_models_built_directly_check_provider_names():
    """The spec models import no provider, yet check names against the providers' registry."""
    from pydantic import ValidationError

    from skyclass.cloud import RegionSpec

    assert RegionSpec(name="a", provider="external", endpoints=["http://h:1"]).provider == "external"
    with pytest.raises(
        ValidationError, match="unknown provider 'moon'; use one of: external, kubernetes, local"
    ):
        RegionSpec(name="a", provider="moon")
