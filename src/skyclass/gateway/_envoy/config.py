"""Envoy's configuration, rendered from the gateway settings and the routing table.

skyclass is the control plane, Envoy the data plane. Envoy gets a static bootstrap
(admin, the listener, the control plane's own cluster) and three kinds of dynamic
resources read from files that the control plane replaces atomically (write, then
``rename``; Envoy watches the folder with inotify and applies a whole file at once):

- ``eds/<cluster>.json``: the replicas of one region and track (endpoint updates keep
  each host's health-check and outlier state, so a rolling update never resets them);
- ``cds.json``: one cluster per region and track (active health checks on the V2
  readiness path, outlier detection, mTLS when the table carries certificates) plus
  *pools*: aggregate clusters listing regions in failover order (priorities);
- ``rds.json``: routes. ``/gateway/*`` goes to the control plane; each data zone of
  the residency rule is a header route whose pools hold only that zone's regions; the
  rest uses pools of every region. Canary is a route taking its share of requests
  (a runtime fraction) to the canary pools, whose failover continues on the primary
  regions; shadow is a request mirror policy of the primary route to the shadow pool of
  the same zone.

The policies become weights and priorities: ``round_robin``/``least_outstanding``
split traffic evenly over one rotation per region (region *i* first, the others after
it, so a retry moves to the next region); ``weighted`` uses the regions' weights as the
rotations' shares; ``latency`` and ``cost`` use one pool in the order the control plane
computes from measured latency and the spec's prices (see :func:`order_regions`).

File-based resources rather than an xDS server: no gRPC stack in skyclass, nothing to
keep alive between the two processes, every state Envoy is in is a file one can read,
and an atomic rename is exactly one consistent update.

Example:
    >>> from skyclass.gateway import Endpoint, GatewaySettings, RoutingTable
    >>> table = RoutingTable(endpoints=[Endpoint(url="http://127.0.0.1:9001", region="a"),
    ...                                 Endpoint(url="http://127.0.0.1:9002", region="b")])
    >>> files = render(GatewaySettings(policy="round_robin"), table, ["a", "b"])
    >>> sorted(c["name"] for c in files["cds.json"]["resources"])
    ['pool.primary.all.a', 'pool.primary.all.b', 'region.primary.a', 'region.primary.b']
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit

from skyclass.gateway._settings import Endpoint, GatewaySettings, RoutingTable

CONTROL_CLUSTER = "skyclass_control"
ROUTE_NAME = "skyclass"
_CLUSTER_TYPE = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
_ROUTE_TYPE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
_EDS_TYPE = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment"
_AGGREGATE = "type.googleapis.com/envoy.extensions.clusters.aggregate.v3.ClusterConfig"
_TLS_UP = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"
_TLS_DOWN = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext"
_HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
_ROUTER = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"
_HTTP_OPTIONS = "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
_BALANCED = ("round_robin", "least_outstanding", "weighted")


def _seconds(ms: float) -> str:
    return f"{ms / 1000.0:.3f}s"


def region_cluster(track: str, region: str) -> str:
    """The name of the cluster holding ``region``'s replicas of ``track``."""
    return f"region.{track}.{region}"


def _address(url: str) -> dict:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return {"socket_address": {"address": parts.hostname, "port_value": port}}


def _tracks_regions(table: RoutingTable) -> dict[tuple[str, str], list[Endpoint]]:
    out: dict[tuple[str, str], list[Endpoint]] = {}
    for endpoint in table.endpoints:
        out.setdefault((endpoint.track, endpoint.region), []).append(endpoint)
    return out


def load_assignment(name: str, endpoints: Sequence[Endpoint]) -> dict:
    """The EDS resource of one region cluster; host metadata names region, track and URL."""
    return {
        "@type": _EDS_TYPE,
        "cluster_name": name,
        "endpoints": [
            {
                "locality": {"region": endpoints[0].region, "zone": endpoints[0].zone},
                "lb_endpoints": [
                    {
                        "endpoint": {"address": _address(ep.url)},
                        "load_balancing_weight": 1,
                        "metadata": {
                            "filter_metadata": {
                                "skyclass": {"region": ep.region, "track": ep.track, "url": ep.url}
                            }
                        },
                    }
                    for ep in endpoints
                ],
            }
        ],
    }


def _upstream_tls(table: RoutingTable, region: str) -> dict | None:
    tls = table.tls
    if tls is None:
        return None
    context: dict = {
        "common_tls_context": {
            "tls_certificates": [
                {
                    "certificate_chain": {"filename": tls.cert},
                    "private_key": {"filename": tls.key},
                }
            ],
            "validation_context": {
                "trusted_ca": {"filename": tls.ca},
                "match_typed_subject_alt_names": [
                    {"san_type": "DNS", "matcher": {"exact": tls.region_name(region)}}
                ],
            },
        },
        "sni": tls.region_name(region),
    }
    return {"name": "envoy.transport_sockets.tls", "typed_config": {"@type": _TLS_UP, **context}}


#: Envoy's default circuit breakers (3 concurrent retries, 1024 requests) are for meshes;
#: a gateway in front of a few regions must retry everything a dead region had in flight.
_NO_BREAKER = {
    "thresholds": [
        {"max_connections": 65536, "max_pending_requests": 65536, "max_requests": 65536,
         "max_retries": 65536}
    ]
}  # fmt: skip


def _region_cluster(
    settings: GatewaySettings, table: RoutingTable, track: str, region: str, eds_path: str
) -> dict:
    health, outlier = settings.health, settings.outlier
    interval = _seconds(health.interval_ms)
    cluster: dict = {
        "@type": _CLUSTER_TYPE,
        "name": region_cluster(track, region),
        "type": "EDS",
        "eds_cluster_config": {
            "eds_config": {"path_config_source": {"path": eds_path}, "resource_api_version": "V3"}
        },
        "connect_timeout": _seconds(min(settings.timeout_ms, 1000)),
        "lb_policy": "LEAST_REQUEST" if settings.policy == "least_outstanding" else "ROUND_ROBIN",
        "ignore_health_on_host_removal": True,
        "common_lb_config": {"healthy_panic_threshold": {"value": 0.0}},
        "health_checks": [
            {
                "timeout": _seconds(health.timeout_ms),
                "interval": interval,
                "no_traffic_interval": interval,
                "no_traffic_healthy_interval": interval,
                "unhealthy_interval": interval,
                "unhealthy_threshold": health.unhealthy_after,
                "healthy_threshold": health.healthy_after,
                "reuse_connection": True,
                "http_health_check": {"path": health.path},
            }
        ],
        "outlier_detection": {
            "consecutive_5xx": outlier.consecutive_errors,
            "enforcing_consecutive_5xx": 100,
            "consecutive_gateway_failure": outlier.consecutive_errors,
            "enforcing_consecutive_gateway_failure": 100,
            "split_external_local_origin_errors": True,
            # refused/reset/timed-out attempts: as many as 5xx answers. Envoy counts a
            # hedge's per-try timeout as one, which under load would eject every region;
            # with hedging, dead replicas are left to the active health checks (and retries)
            "consecutive_local_origin_failure": outlier.consecutive_errors,
            "enforcing_consecutive_local_origin_failure": 0 if settings.hedge_after_ms else 100,
            "base_ejection_time": _seconds(max(outlier.eject_ms, 1)),
            "max_ejection_time": _seconds(max(outlier.eject_ms, 1)),
            "max_ejection_percent": 100,
            "interval": "1s",
            "enforcing_success_rate": 0,
            "enforcing_failure_percentage": 0,
        },
        "typed_extension_protocol_options": {
            "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                "@type": _HTTP_OPTIONS,
                # idle upstream connections close before a uvicorn replica (5 s) would close them
                "common_http_protocol_options": {"idle_timeout": "3s"},
                "explicit_http_config": {"http_protocol_options": {}},
            }
        },
        "circuit_breakers": _NO_BREAKER,
    }
    secure = any(
        e.url.startswith("https:")
        for e in table.endpoints
        if (e.track, e.region) == (track, region)
    )
    tls = _upstream_tls(table, region) if secure else None
    if tls is not None:
        cluster["transport_socket"] = tls
    return cluster


def _pool(name: str, clusters: Sequence[str]) -> dict:
    return {
        "@type": _CLUSTER_TYPE,
        "name": name,
        "connect_timeout": "1s",
        "lb_policy": "CLUSTER_PROVIDED",
        "cluster_type": {
            "name": "envoy.clusters.aggregate",
            "typed_config": {"@type": _AGGREGATE, "clusters": list(clusters)},
        },
        # retries are counted on the route's cluster, the pool: Envoy's default of 3
        # concurrent retries would turn a killed region's in-flight requests into 503s
        "circuit_breakers": _NO_BREAKER,
    }


def _scopes(table: RoutingTable, settings: GatewaySettings) -> dict[str, set[str] | None]:
    """Routing scopes: ``all`` (no zone constraint) plus one per data zone under residency."""
    scopes: dict[str, set[str] | None] = {"all": None}
    if settings.residency is not None:
        for zone in sorted({e.zone for e in table.endpoints if e.track == "primary"}):
            scopes[f"zone-{zone}" if zone else "zone-none"] = {zone}
    return scopes


def _regions_of(table: RoutingTable, track: str, zones: set[str] | None, order: Sequence[str]):
    present = {e.region for e in table.endpoints if e.track == track}
    if zones is not None:
        present = {e.region for e in table.endpoints if e.track == track and e.zone in zones}
    ranked = [r for r in order if r in present]
    return ranked + sorted(present - set(ranked))


class _Plan:
    """Pools and their relative weights per scope and track, collected while rendering."""

    def __init__(self) -> None:
        self.pools: dict[str, list[str]] = {}
        self.splits: dict[str, dict[str, list[tuple[str, int]]]] = {}
        self.shadow: dict[str, str] = {}


def _plan(settings: GatewaySettings, table: RoutingTable, order: Sequence[str]) -> _Plan:
    plan = _Plan()
    weights = {e.region: e.weight for e in table.endpoints}
    for scope, zones in _scopes(table, settings).items():
        primary = _regions_of(table, "primary", zones, order)
        canary = _regions_of(table, "canary", zones, order)
        plan.splits[scope] = {}
        for track, regions, fallback in (("primary", primary, []), ("canary", canary, primary)):
            if not regions:
                continue
            tracked = [region_cluster(track, r) for r in regions]
            spare = [region_cluster("primary", r) for r in fallback]
            split: list[tuple[str, int]] = []
            if settings.policy in _BALANCED and len(regions) > 1:
                total = sum(weights[r] for r in regions) if settings.policy == "weighted" else 0
                for i, region in enumerate(regions):
                    name = f"pool.{track}.{scope}.{region}"
                    plan.pools[name] = tracked[i:] + tracked[:i] + spare
                    part = weights[region] / total if total else 1.0 / len(regions)
                    split.append((name, round(part * 10_000)))
            else:
                name = f"pool.{track}.{scope}.ordered"
                plan.pools[name] = tracked + spare
                split.append((name, 10_000))
            plan.splits[scope][track] = [(n, w) for n, w in split if w > 0]
        shadow = _regions_of(table, "shadow", zones, order)
        if shadow and table.shadow_percent > 0:
            name = f"pool.shadow.{scope}.ordered"
            plan.pools[name] = [region_cluster("shadow", r) for r in shadow]
            plan.shadow[scope] = name
    return plan


def _retry_policy(settings: GatewaySettings) -> dict:
    return {
        "retry_on": "connect-failure,refused-stream,reset,5xx",
        "num_retries": settings.retries,
        "per_try_timeout": _seconds(settings.hedge_after_ms or settings.timeout_ms),
        "retry_priority": {
            "name": "envoy.retry_priorities.previous_priorities",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.retry.priority."
                "previous_priorities.v3.PreviousPrioritiesConfig",
                "update_frequency": 1,
            },
        },
        "retry_host_predicate": [
            {
                "name": "envoy.retry_host_predicates.previous_hosts",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.retry.host."
                    "previous_hosts.v3.PreviousHostsPredicate"
                },
            }
        ],
        "host_selection_retry_max_attempts": 5,
        "retry_back_off": {"base_interval": "0.001s", "max_interval": "0.010s"},
    }


def _route_action(
    settings: GatewaySettings, split: list[tuple[str, int]], mirror: str | None, percent: float
) -> dict:
    attempts = 1 + settings.retries
    action: dict = {
        "timeout": _seconds(settings.timeout_ms * attempts + 500),
        "retry_policy": _retry_policy(settings),
    }
    if settings.hedge_after_ms is not None:
        action["hedge_policy"] = {"hedge_on_per_try_timeout": True}
    if len(split) == 1:
        action["cluster"] = split[0][0]
    else:
        action["weighted_clusters"] = {
            "clusters": [{"name": name, "weight": weight} for name, weight in split]
        }
    if mirror is not None:
        share = round(percent * 10_000)
        action["request_mirror_policies"] = [
            {
                "cluster": mirror,
                "runtime_fraction": {
                    "default_value": {"numerator": share, "denominator": "MILLION"}
                },
            }
        ]
    return action


def _scope_routes(
    settings: GatewaySettings, plan: _Plan, scope: str, table: RoutingTable, match: dict
) -> list[dict]:
    """The routes of ``scope``: the canary share first (by runtime fraction), then primary.

    Only primary answers are mirrored to the shadow, as in the builtin engine.
    """
    tracks = plan.splits.get(scope, {})
    if not tracks:
        message = "no healthy region could answer; check `skyclass status` and retry later"
        return [
            {"match": match, "direct_response": {"status": 503, "body": {"inline_string": message}}}
        ]
    out = []
    canary = tracks.get("canary")
    if canary and "primary" in tracks and table.canary_weight > 0:
        fraction = {"default_value": {"numerator": round(table.canary_weight * 10_000),
                                      "denominator": "MILLION"}}  # fmt: skip
        out.append(
            {
                "match": {**match, "runtime_fraction": fraction},
                "route": _route_action(settings, canary, None, 0.0),
            }
        )
    main = tracks.get("primary") or canary
    mirror = plan.shadow.get(scope) if "primary" in tracks else None
    out.append(
        {"match": match, "route": _route_action(settings, main, mirror, table.shadow_percent)}
    )
    return out


def routes(settings: GatewaySettings, table: RoutingTable, order: Sequence[str]) -> dict:
    """The RDS resource: admin paths, one header route per zone, the default route."""
    plan = _plan(settings, table, order)
    entries: list[dict] = [
        {
            "match": {"prefix": "/gateway/"},
            "route": {"cluster": CONTROL_CLUSTER, "timeout": "10s"},
        }
    ]
    if settings.residency is not None:
        header = settings.residency.header
        for scope in (s for s in plan.splits if s != "all"):
            zone = scope[len("zone-") :] if scope != "zone-none" else ""
            match = {"prefix": "/", "headers": [{"name": header, "string_match": {"exact": zone}}]}
            entries += _scope_routes(settings, plan, scope, table, match)
        known = ", ".join(sorted(s[len("zone-") :] for s in plan.splits if s != "all")) or "none"
        entries.append(
            {
                "match": {"prefix": "/", "headers": [{"name": header, "present_match": True}]},
                "direct_response": {
                    "status": 400,
                    "body": {"inline_string": f"zones served here: {known}"},
                },
            }
        )
    entries += _scope_routes(settings, plan, "all", table, {"prefix": "/"})
    return {
        "@type": _ROUTE_TYPE,
        "name": ROUTE_NAME,
        "virtual_hosts": [
            {
                "name": "skyclass",
                "domains": ["*"],
                "routes": entries,
                "response_headers_to_add": [
                    {
                        "header": {"key": key, "value": f"%UPSTREAM_METADATA(skyclass:{field})%"},
                        "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                    }
                    for key, field in (
                        ("x-skyclass-region", "region"),
                        ("x-skyclass-track", "track"),
                    )
                ],
            }
        ],
    }


def clusters(
    settings: GatewaySettings, table: RoutingTable, order: Sequence[str], eds_dir: str
) -> list[dict]:
    """Every region cluster and every pool the routes use."""
    out = [
        _region_cluster(
            settings, table, track, region, f"{eds_dir}/{region_cluster(track, region)}.json"
        )
        for track, region in sorted(_tracks_regions(table))
    ]
    plan = _plan(settings, table, order)
    out += [_pool(name, members) for name, members in sorted(plan.pools.items())]
    return out


def render(
    settings: GatewaySettings, table: RoutingTable, order: Sequence[str], eds_dir: str = "eds"
) -> dict[str, dict]:
    """Every dynamic file by name: ``cds.json``, ``rds.json`` and ``eds/<cluster>.json``."""
    version = str(table.version)
    files: dict[str, dict] = {
        f"eds/{region_cluster(track, region)}.json": {
            "version_info": version,
            "resources": [load_assignment(region_cluster(track, region), eps)],
        }
        for (track, region), eps in sorted(_tracks_regions(table).items())
    }
    files["cds.json"] = {
        "version_info": version,
        "resources": clusters(settings, table, order, eds_dir),
    }
    files["rds.json"] = {"version_info": version, "resources": [routes(settings, table, order)]}
    return files


_UNROUTED_HEADERS = [
    {
        "header": {"key": "x-skyclass-region", "value": "none"},
        "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
    }
]


def _local_replies(settings: GatewaySettings) -> dict:
    """Envoy's own answers rewritten into skyclass's JSON errors (what, where, what to do)."""
    header = settings.residency.header if settings.residency else None
    unrouted = "no healthy region{where} could answer; check `skyclass status` and retry later"
    mappers = []
    if header is not None:
        present = {"header_filter": {"header": {"name": header, "present_match": True}}}
        zone = f"%REQ({header})%"
        mappers.append(
            {
                "filter": {
                    "and_filter": {
                        "filters": [
                            {
                                "status_code_filter": {
                                    "comparison": {
                                        "op": "EQ",
                                        "value": {
                                            "default_value": 400,
                                            "runtime_key": "skyclass.zone_400",
                                        },
                                    }
                                }
                            },
                            present,
                        ]
                    }
                },
                "headers_to_add": _UNROUTED_HEADERS,
                "body_format_override": {
                    "json_format": {
                        "error": f"unknown data zone '{zone}' in header {header}; "
                        "%LOCAL_REPLY_BODY%"
                    }
                },
            }
        )
        mappers.append(
            {
                "filter": {
                    "and_filter": {
                        "filters": [
                            {"status_code_filter": {"comparison": {"op": "GE", "value": {
                                "default_value": 500, "runtime_key": "skyclass.zone_503"}}}},
                            present,
                        ]
                    }
                },
                "headers_to_add": _UNROUTED_HEADERS,
                "body_format_override": {
                    "json_format": {"error": unrouted.format(where=f" in data zone '{zone}'")
                                    + " (envoy: %RESPONSE_CODE_DETAILS%)"}
                },
            }
        )  # fmt: skip
    mappers.append(
        {
            "filter": {
                "status_code_filter": {
                    "comparison": {
                        "op": "GE",
                        "value": {"default_value": 500, "runtime_key": "skyclass.any_503"},
                    }
                }
            },
            "headers_to_add": _UNROUTED_HEADERS,
            "body_format_override": {
                "json_format": {
                    "error": unrouted.format(where="") + " (envoy: %RESPONSE_CODE_DETAILS%)"
                }
            },
        }
    )
    return {"mappers": mappers}


#: One line per logged upstream attempt (the router's upstream log): every failed one and
#: a sample of the rest (see ``ATTEMPT_SAMPLE_KEY``), read by the control plane for latency
#: quantiles and failovers; request and error counts come from Envoy's host statistics.
ATTEMPT_FORMAT = (
    "%UPSTREAM_HOST% %RESPONSE_CODE% %DURATION% %START_TIME(%s.%3f)% "
    "%UPSTREAM_REQUEST_ATTEMPT_COUNT%\n"
)
#: Runtime key: parts per million of successful attempts logged (the control plane lowers
#: it under load through the admin ``/runtime_modify``, so logging stays ~200 lines/s).
ATTEMPT_SAMPLE_KEY = "skyclass.attempt_sample_ppm"
#: One line per client request Envoy answered itself with a 5xx (no healthy region left).
UNROUTED_FORMAT = "! %RESPONSE_CODE% %RESPONSE_FLAGS%\n"
_FILE_LOG = "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog"


def _file_log(path: str, line: str, log_filter: dict | None = None) -> dict:
    logger: dict = {
        "name": "envoy.access_loggers.file",
        "typed_config": {
            "@type": _FILE_LOG,
            "path": path,
            "log_format": {"text_format_source": {"inline_string": line}},
        },
    }
    if log_filter is not None:
        logger["filter"] = log_filter
    return logger


_ATTEMPT_FILTER = {
    "or_filter": {
        "filters": [
            {"status_code_filter": {"comparison": {"op": "GE", "value": {
                "default_value": 500, "runtime_key": "skyclass.attempt_failed"}}}},
            {"response_flag_filter": {}},  # any flag: refused, reset, timed out, ...
            {"runtime_filter": {"runtime_key": ATTEMPT_SAMPLE_KEY, "percent_sampled": {
                "numerator": 1_000_000, "denominator": "MILLION"},
                "use_independent_randomness": True}},
        ]
    }
}  # fmt: skip

_UNROUTED_FILTER = {
    "and_filter": {
        "filters": [
            {"status_code_filter": {"comparison": {"op": "GE", "value": {
                "default_value": 500, "runtime_key": "skyclass.unrouted"}}}},
            {"response_flag_filter": {"flags": ["UH", "UF", "URX", "UO", "NR", "UT", "UC", "UR"]}},
        ]
    }
}  # fmt: skip


def bootstrap(
    settings: GatewaySettings,
    *,
    folder: str,
    listen: tuple[str, int],
    admin_port: int,
    control_port: int,
    client_tls: tuple[str, str] | None = None,
) -> dict:
    """The static bootstrap: admin on loopback, the listener, the control plane's cluster."""
    host, port = listen
    manager = {
        "@type": _HCM,
        "stat_prefix": "skyclass",
        "codec_type": "AUTO",
        "rds": {
            "route_config_name": ROUTE_NAME,
            "config_source": {
                "path_config_source": {"path": f"{folder}/rds.json"},
                "resource_api_version": "V3",
            },
        },
        "http_filters": [
            {
                "name": "envoy.filters.http.router",
                "typed_config": {
                    "@type": _ROUTER,
                    # no x-envoy-* headers: answers look the same on both engines
                    "suppress_envoy_headers": True,
                    "upstream_log": [
                        _file_log(f"{folder}/attempts.log", ATTEMPT_FORMAT, _ATTEMPT_FILTER)
                    ],
                },
            }
        ],
        "local_reply_config": _local_replies(settings),
        "access_log": [_file_log(f"{folder}/attempts.log", UNROUTED_FORMAT, _UNROUTED_FILTER)],
        "server_header_transformation": "PASS_THROUGH",
        "generate_request_id": False,  # nothing reads it; a UUID per request costs CPU
        "stream_idle_timeout": "300s",
        "common_http_protocol_options": {"idle_timeout": "60s"},
    }
    chain: dict = {
        "filters": [
            {"name": "envoy.filters.network.http_connection_manager", "typed_config": manager}
        ]
    }
    if client_tls is not None:
        cert, key = client_tls
        chain["transport_socket"] = {
            "name": "envoy.transport_sockets.tls",
            "typed_config": {
                "@type": _TLS_DOWN,
                "common_tls_context": {
                    "tls_certificates": [
                        {"certificate_chain": {"filename": cert}, "private_key": {"filename": key}}
                    ]
                },
            },
        }
    loopback = {"socket_address": {"address": "127.0.0.1", "port_value": control_port}}
    return {
        "node": {"id": "skyclass-gateway", "cluster": "skyclass"},
        "admin": {
            "address": {"socket_address": {"address": "127.0.0.1", "port_value": admin_port}}
        },
        "stats_flush_interval": "1s",
        "dynamic_resources": {
            "cds_config": {
                "path_config_source": {"path": f"{folder}/cds.json"},
                "resource_api_version": "V3",
            }
        },
        "static_resources": {
            "listeners": [
                {
                    "name": "skyclass",
                    "address": {"socket_address": {"address": host, "port_value": port}},
                    "per_connection_buffer_limit_bytes": 16 * 1024 * 1024,
                    "filter_chains": [chain],
                }
            ],
            "clusters": [
                {
                    "name": CONTROL_CLUSTER,
                    "type": "STATIC",
                    "connect_timeout": "1s",
                    "load_assignment": {
                        "cluster_name": CONTROL_CLUSTER,
                        "endpoints": [{"lb_endpoints": [{"endpoint": {"address": loopback}}]}],
                    },
                }
            ],
        },
        "layered_runtime": {
            "layers": [
                {"name": "static", "static_layer": {}},
                {"name": "admin", "admin_layer": {}},  # the sampling rate, set at run time
            ]
        },
    }
