"""Kubernetes provider: per region a ConfigMap, Deployment, Service, HorizontalPodAutoscaler
and PodDisruptionBudget (probes on the V2 health endpoints), plus a Dockerfile for the image.

Manifests are always written to ``<state>/<name>/kubernetes/<region>/``; with
``apply`` they are server-side-applied to the region's kube ``context`` with the
official client. The gateway reaches the region through the URLs listed in the
region's ``endpoints`` (an ingress or load balancer in front of the Service).

Example:
    >>> from skyclass.cloud import parse_spec
    >>> spec = parse_spec("name: t\\nmodel: /m\\nregions: [{name: eu, provider: kubernetes}]")
    >>> [m["kind"] for m in render(spec, spec.regions[0], "primary", "s3://b/t@3", 2)]
    ['ConfigMap', 'Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']
"""

from __future__ import annotations

from pathlib import Path

import yaml

from skyclass.cloud._spec_models import DeploymentSpec, RegionSpec
from skyclass.cloud._state import Replica
from skyclass.cloud.providers._base import PROVIDERS, LaunchContext, Provider, endpoint_replicas
from skyclass.errors import ConfigError

PORT = 8080

DOCKERFILE = """\
# Image for skyclass replicas: build from the project root with
#   python -m pip wheel --no-deps -w dist . && docker build -t skyclass:latest -f Dockerfile .
FROM python:3.12-slim
COPY dist/*.whl /tmp/
RUN pip install --no-cache-dir "$(ls /tmp/skyclass-*.whl)[cloud]" && rm /tmp/*.whl
USER 10001
EXPOSE 8080
ENTRYPOINT ["skyclass"]
"""


def _probe(path: str, period: int, failures: int) -> dict:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 2,
        "failureThreshold": failures,
    }


TRUST_DIR = "/etc/skyclass/trust"


def _trust(keys: list[str], config_map: str) -> dict:
    """The trusted public keys as ConfigMap entries mounted read-only, and the serve flags."""
    if not keys:
        return {"data": {}, "args": [], "container": {}, "pod": {}}
    names = [f"trust-{i}.pem" for i in range(len(keys))]
    return {
        "data": {name: Path(key).read_text() for name, key in zip(names, keys, strict=True)},
        "args": [arg for name in names for arg in ("--trusted-key", f"{TRUST_DIR}/{name}")],
        "container": {
            "volumeMounts": [{"name": "trust", "mountPath": TRUST_DIR, "readOnly": True}]
        },
        "pod": {
            "volumes": [
                {
                    "name": "trust",
                    "configMap": {
                        "name": config_map,
                        "items": [{"key": name, "path": name} for name in names],
                    },
                }
            ]
        },
    }


def render(
    spec: DeploymentSpec, region: RegionSpec, track: str, model_uri: str, count: int
) -> list[dict]:
    """The Kubernetes manifests for one region and track.

    Parameters
    ----------
    spec : DeploymentSpec
        The deployment (its name prefixes every object's name).
    region : RegionSpec
        A ``provider: kubernetes`` region: namespace, image, resources, ``max_replicas`` and
        trust are read from it.
    track : str
        ``"primary"``, ``"canary"`` or ``"shadow"`` (non-primary names get the track as a
        suffix).
    model_uri : str
        The bundle or registry URI the pods serve (pinned to a version).
    count : int
        Replicas of the Deployment; also the autoscaler's minimum (at least 1).

    Returns
    -------
    list of dict
        ConfigMap, Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget, in
        that order, ready for ``yaml.safe_dump_all`` or server-side apply.

    Raises
    ------
    ConfigError
        When an object name would exceed Kubernetes' 63 characters.
    """
    base = f"{spec.name}-{region.name}" + ("" if track == "primary" else f"-{track}")
    if len(base) > 63:
        raise ConfigError(
            f"kubernetes name {base!r} is longer than 63 characters; shorten the "
            "deployment or region name"
        )
    labels = {
        "app.kubernetes.io/name": "skyclass",
        "app.kubernetes.io/instance": base,
        "skyclass.dev/deployment": spec.name,
        "skyclass.dev/region": region.name,
        "skyclass.dev/track": track,
    }
    meta = {"name": base, "namespace": region.namespace, "labels": labels}
    selector = {"app.kubernetes.io/instance": base}
    resources = {"cpu": region.resources.cpu, "memory": region.resources.memory}
    trust = _trust(spec.trusted_keys(region), base)
    container = {
        "name": "serve",
        "image": region.image,
        "args": [
            "serve",
            "$(MODEL_URI)",
            "--host",
            "0.0.0.0",
            "--port",
            str(PORT),
            "--region",
            "$(REGION)",
            *trust["args"],
        ],
        "envFrom": [{"configMapRef": {"name": base}}],
        "ports": [{"name": "http", "containerPort": PORT}],
        "readinessProbe": _probe("/v2/health/ready", 2, 2),
        **trust["container"],
        "livenessProbe": _probe("/v2/health/live", 10, 3),
        "resources": {"requests": resources, "limits": resources},
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": meta,
            "data": {
                "MODEL_URI": model_uri,
                "REGION": region.name,
                "SKYCLASS_TRACK": track,
                **trust["data"],
            },
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": meta,
            "spec": {
                "replicas": count,
                "selector": {"matchLabels": selector},
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1},
                },
                "template": {
                    "metadata": {"labels": labels},
                    "spec": {"containers": [container], **trust["pod"]},
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": meta,
            "spec": {
                "selector": selector,
                "ports": [{"name": "http", "port": 80, "targetPort": "http"}],
            },
        },
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": meta,
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": base},
                "minReplicas": max(1, count),
                "maxReplicas": region.max_replicas or max(2, 2 * count),
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 70},
                        },
                    }
                ],
            },
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": meta,
            "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector}},
        },
    ]


def apply(manifests: list[dict], context: str | None) -> None:
    """Server-side apply ``manifests`` to kube ``context`` (needs a reachable cluster)."""
    from kubernetes import config, dynamic
    from kubernetes.client import ApiClient

    try:
        client = dynamic.DynamicClient(
            ApiClient(config.new_client_from_config(context=context).configuration)
        )
    except Exception as err:  # kubeconfig missing or context unknown
        raise ConfigError(
            f"cannot use kube context {context!r}: {err}; check ~/.kube/config"
        ) from err
    for manifest in manifests:
        resource = client.resources.get(api_version=manifest["apiVersion"], kind=manifest["kind"])
        client.server_side_apply(
            resource,
            body=manifest,
            name=manifest["metadata"]["name"],
            namespace=manifest["metadata"]["namespace"],
            field_manager="skyclass",
            force_conflicts=True,
        )


@PROVIDERS.register("kubernetes")
class KubernetesProvider(Provider):
    """Renders (and with ``apply``, applies) the manifests of each region."""

    name = "kubernetes"

    def launch(
        self,
        ctx: LaunchContext,
        region: RegionSpec,
        track: str,
        model_uri: str,
        model_version: str,
        count: int,
    ) -> list[Replica]:
        manifests = render(ctx.spec, region, track, model_uri, count)
        out = ctx.folder / "kubernetes" / region.name
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{track}.yaml").write_text(yaml.safe_dump_all(manifests, sort_keys=False))
        (ctx.folder / "kubernetes" / "Dockerfile").write_text(DOCKERFILE)
        if ctx.apply:
            apply(manifests, region.context)
        return endpoint_replicas(self.name, ctx, region, track, model_uri, model_version)

    def stop(self, replica: Replica, *, graceful: bool = True) -> None:
        """Nothing is deleted: the manifests stay applied (``kubectl delete -f`` the files
        rendered under ``<state>/<name>/kubernetes/`` to remove them).

        Parameters
        ----------
        replica : Replica
            A replica of a kubernetes region; its objects stay.
        graceful : bool
            Ignored.
        """
