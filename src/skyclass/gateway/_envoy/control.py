"""The control plane beside Envoy: keeps Envoy's files current and reports what Envoy sees.

One asyncio loop runs four things:

- the *table watcher*: reloads ``endpoints.json`` when a deploy replaces it;
- the *prober* (latency and cost policies only): times a readiness GET per endpoint
  every health interval (an EWMA, as the builtin engine keeps) to rank regions;
- the *applier*: renders the files for the current table and ranking and swaps them
  in the order that never leaves a route pointing at a missing cluster (EDS, then
  clusters old and new, then routes, then clusters without the old ones), waiting for
  Envoy to report each version applied and every new host checked;
- the *admin server* Envoy routes ``/gateway/*`` to: ``health``, ``status`` (the same
  JSON as the builtin engine, numbers read from Envoy's admin statistics) and
  ``metrics`` (skyclass's Prometheus names plus Envoy's own statistics).

Traffic numbers: request and error counts per replica come from the per-host counters
of Envoy's ``/clusters`` (``rq_success`` + ``rq_error``, read every 0.2 s; exact), and
status, dashboard, ``/gateway/metrics`` and the ledger all derive from those deltas.
Envoy's per-cluster ``upstream_rq_time`` cannot serve per region: with aggregate
failover pools, Envoy charges response codes and latency to the pool a route names, not
to the region that answered. So p50/p99 come from the attempt log, which holds every
failed attempt but only a sample of the successful ones: all of them up to ~200
attempts/s, then a rate the control plane lowers through Envoy's runtime
(``config.ATTEMPT_SAMPLE_KEY``), so logging never costs Envoy more than ~200 lines/s.

``table_version`` in the status only moves once Envoy has applied that table, so a
deploy waiting for it knows new replicas are routable before it stops old ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import ssl
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path

import aiohttp
import orjson
from aiohttp import web
from pydantic import ValidationError

from skyclass.gateway._envoy import admin, attempts, config
from skyclass.gateway._ledger import Ledger
from skyclass.gateway._metrics import GatewayMetrics
from skyclass.gateway._settings import Endpoint, GatewaySettings, RoutingTable, TableSource
from skyclass.gateway._status import endpoint_row, gateway_status, region_status

log = logging.getLogger("skyclass.gateway.envoy")

_POLL_S = 0.1
_HEALTH_EVERY = 2  # polls of /clusters: every 0.2 s
_ALPHA = 0.3
_WINDOW_S = 10.0
_SAMPLES_PER_S = 200.0
_MIN_PPM = 1_000
_ORDERED = ("latency", "cost")


def _host_key(url: str) -> str:
    address = config._address(url)["socket_address"]
    return f"{address['address']}:{address['port_value']}"


def order_regions(
    policy: str,
    ewma: dict[str, float | None],
    costs: dict[str, float],
    bound_ms: float,
    current: Sequence[str] = (),
) -> list[str]:
    """Failover order of the regions for ``policy`` (first takes the traffic).

    ``latency``: fastest measured first, unmeasured last; the current leader keeps its
    place unless another region is faster by more than 20 % and 2 ms (no flapping on
    noise). ``cost``: the cheapest of those within ``bound_ms``, then the rest fastest
    first. Other policies balance, so the order is just the names.

    Example:
        >>> order_regions("latency", {"a": 40.0, "b": 5.0}, {}, 250.0, ["a", "b"])
        ['b', 'a']
        >>> order_regions("latency", {"a": 5.5, "b": 5.0}, {}, 250.0, ["a", "b"])
        ['a', 'b']
        >>> order_regions("cost", {"a": 5.0, "b": 60.0}, {"a": 0.9, "b": 0.1}, 50.0)
        ['a', 'b']
    """
    names = sorted(ewma)

    def speed(region: str) -> float:
        value = ewma.get(region)
        return float("inf") if value is None else value

    if policy == "latency":
        ranked = sorted(names, key=speed)
        leader = current[0] if current else None
        if ranked and leader in ewma and leader != ranked[0]:
            gain = speed(leader) - speed(ranked[0])
            if gain <= max(2.0, 0.2 * speed(leader)):
                ranked.remove(leader)
                ranked.insert(0, leader)
        return ranked
    if policy == "cost":
        within = [r for r in names if ewma.get(r) is None or speed(r) <= bound_ms]
        within.sort(key=lambda r: (costs.get(r, 0.0), speed(r)))
        return within + sorted((r for r in names if r not in within), key=speed)
    return names


def _quantile(sorted_values: list[float], q: float) -> float | None:
    """The nearest-rank quantile, as the builtin engine's ledger computes it."""
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, int(q * (len(sorted_values) - 1) + 0.5))]


class _Probe:
    """EWMA of readiness round trips per endpoint URL."""

    def __init__(self) -> None:
        self.ewma: dict[str, float] = {}

    def observe(self, url: str, ms: float) -> None:
        old = self.ewma.get(url)
        self.ewma[url] = ms if old is None else (1 - _ALPHA) * old + _ALPHA * ms


class ControlPlane:
    """State and tasks of one Envoy gateway's control plane."""

    def __init__(
        self, settings: GatewaySettings, folder: Path, admin_url: str, source: TableSource
    ) -> None:
        self.settings = settings
        self.folder = folder
        self.admin_url = admin_url
        self.endpoints_file = Path(source.file) if source.file is not None else None
        self.table = source.table or RoutingTable()
        self.applied_version = -1
        self.order: list[str] = []
        self.ledger = Ledger()
        self.metrics = GatewayMetrics()
        self.view = admin.AdminView()
        self.last_routed: dict[str, float] = {}
        self.unrouted = 0
        self.shadow_sent = 0
        self.shadow_failed = 0
        self._tail = attempts.Tail(folder / "attempts.log")
        self._seen: dict[str, tuple[int, int]] = {}  # url -> (attempts, errors) last poll
        self._totals: dict[str, list[int]] = {}  # region -> [attempts, errors]
        self._window: dict[str, deque[tuple[float, int, int]]] = {}
        self._samples: dict[str, deque[tuple[float, float]]] = {}
        self._sample_ppm = 1_000_000
        self._polled_wall: float | None = None
        self._was_up: dict[str, bool] = {}
        self._probe = _Probe()
        self._generation = 0
        self._rendered: dict[str, dict] = {}
        self._dirty = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._billed_at: float | None = None
        self._session: aiohttp.ClientSession | None = None
        self._probe_session: aiohttp.ClientSession | None = None

    # -- lifecycle -------------------------------------------------------------
    async def start(self) -> None:
        """Write the first files (before Envoy starts) and start the loops."""
        if self.endpoints_file is not None:
            self._reload()
        self.order = order_regions(self.settings.policy, self._region_ewma(), {}, 0.0)
        self._write_all(self._render())
        self.applied_version = self.table.version
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2.0))
        self._probe_session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=self._client_ssl() or False),
            timeout=aiohttp.ClientTimeout(total=self.settings.health.timeout_ms / 1000.0),
        )
        self._tasks = [
            asyncio.create_task(self._poll_forever()),
            asyncio.create_task(self._apply_forever()),
        ]
        if self.endpoints_file is not None:
            self._tasks.append(asyncio.create_task(self._watch_forever()))
        if self.settings.policy in _ORDERED:
            self._tasks.append(asyncio.create_task(self._probe_forever()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for session in (self._session, self._probe_session):
            if session is not None:
                await session.close()

    def _client_ssl(self) -> ssl.SSLContext | None:
        tls = self.table.tls
        if tls is None:
            return None
        context = ssl.create_default_context(cafile=tls.ca)
        context.check_hostname = False  # the region name is checked by Envoy; probes only time
        context.load_cert_chain(tls.cert, tls.key)
        return context

    # -- the table -------------------------------------------------------------
    def _reload(self) -> bool:
        assert self.endpoints_file is not None
        try:
            raw = self.endpoints_file.read_bytes()
        except FileNotFoundError:
            return False
        try:
            table = RoutingTable.model_validate_json(raw)
        except ValidationError as err:
            log.error("ignoring invalid routing table %s: %s", self.endpoints_file, err)
            return False
        if table == self.table:
            return False
        tls_changed = table.tls != self.table.tls
        self.table = table
        if tls_changed and self._probe_session is not None:
            old = self._probe_session
            self._probe_session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(ssl=self._client_ssl() or False),
                timeout=aiohttp.ClientTimeout(total=self.settings.health.timeout_ms / 1000.0),
            )
            asyncio.get_running_loop().create_task(old.close())
        return True

    async def _watch_forever(self) -> None:
        seen = None
        while True:
            with contextlib.suppress(FileNotFoundError):
                stat = self.endpoints_file.stat()
                key = (stat.st_mtime_ns, stat.st_size)
                if key != seen:
                    seen = key
                    if self._reload():
                        self._dirty.set()
            await asyncio.sleep(_POLL_S)

    # -- rendering and applying ------------------------------------------------
    def _render(self) -> dict[str, dict]:
        self._generation += 1
        files = config.render(self.settings, self.table, self.order, str(self.folder / "eds"))
        tag = f"{self.table.version}.{self._generation}"
        for doc in files.values():
            doc["version_info"] = tag
        return files

    def _write(self, name: str, doc: dict) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(orjson.dumps(doc))
        os.replace(tmp, path)  # Envoy sees one whole file or the old one, never half

    def _write_all(self, files: dict[str, dict]) -> None:
        for name, doc in files.items():
            if name.startswith("eds/"):
                self._write(name, doc)
        self._write("cds.json", files["cds.json"])
        self._write("rds.json", files["rds.json"])
        self._rendered = files

    async def _apply(self) -> None:
        files = self._render()
        tag = files["cds.json"]["version_info"]
        old = {c["name"]: c for c in self._rendered.get("cds.json", {}).get("resources", [])}
        new = {c["name"]: c for c in files["cds.json"]["resources"]}
        for name, doc in files.items():
            if (
                name.startswith("eds/")
                and self._rendered.get(name, {}).get("resources") != doc["resources"]
            ):
                self._write(name, doc)
        both = {**old, **new}
        self._write("cds.json", {"version_info": tag + ".union", "resources": list(both.values())})
        await self._wait(lambda: self._cds_version() == tag + ".union")
        await self._wait(lambda: self._hosts_settled())
        self._write("rds.json", files["rds.json"])
        await self._wait(lambda: self._rds_version() == tag)
        self._write("cds.json", files["cds.json"])
        await self._wait(lambda: self._cds_version() == tag)
        self._rendered = files
        self.applied_version = self.table.version

    async def _wait(self, done, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            await self._refresh(versions=True)
            if done():
                return
            await asyncio.sleep(0.02)
        log.warning("envoy did not confirm an update within %.0f s; going on", timeout)

    def _cds_version(self) -> str | None:
        return self.view.texts.get("cluster_manager.cds.version_text")

    def _rds_version(self) -> str | None:
        return self.view.texts.get(f"http.skyclass.rds.{config.ROUTE_NAME}.version_text")

    def _hosts_settled(self) -> bool:
        """Every endpoint of the table is in its cluster and has had its first health check."""
        for endpoint in self.table.endpoints:
            key = (config.region_cluster(endpoint.track, endpoint.region), _host_key(endpoint.url))
            host = self.view.hosts.get(key)
            if host is None or host["pending"]:
                return False
        return True

    async def _apply_forever(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                await self._apply()
            except (TimeoutError, OSError, aiohttp.ClientError) as err:
                log.error("could not update envoy: %s; retrying", err)
                await asyncio.sleep(0.5)
                self._dirty.set()

    # -- observing -------------------------------------------------------------
    def _by_host(self) -> dict[str, Endpoint]:
        return {_host_key(e.url): e for e in self.table.endpoints}

    async def _refresh(self, *, versions: bool = False) -> None:
        """Poll Envoy's host health (and applied versions), then read new attempts."""
        try:
            view = await admin.poll(self._session, self.admin_url, versions=versions)
        except (TimeoutError, aiohttp.ClientError, ValueError):
            return
        if not versions:
            view.texts = self.view.texts
        self.view = view
        await self._read_attempts()
        now = time.monotonic()
        self._count(now)
        await self._tune_sampling(now)
        for endpoint in self.table.endpoints:
            host = self._host(endpoint)
            up = bool(host.get("healthy")) and not host.get("ejected")
            if self._was_up.get(endpoint.url, True) and not up and host:
                self.metrics.ejections.labels(region=endpoint.region, cloud=endpoint.cloud).inc()
            self._was_up[endpoint.url] = up
        self._bill(now)

    async def _read_attempts(self) -> None:
        lines = self._tail.read()
        if self._tail.needs_rotation():
            aside = self._tail.rotated()
            with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                async with self._session.post(f"{self.admin_url}/reopen_logs") as reply:
                    await reply.read()
            lines += self._tail.finish(aside)
        by_host = self._by_host()
        for line in lines:
            attempt = attempts.parse(line)
            if attempt is attempts.UNROUTED:
                self.unrouted += 1
                self.metrics.unrouted.inc()
                continue
            endpoint = by_host.get(attempt.host) if attempt is not None else None
            if endpoint is not None:
                self._record(endpoint, attempt)

    def _record(self, endpoint: Endpoint, attempt: attempts.Attempt) -> None:
        """A logged attempt: latency sample, last-routed time, failover (counts: `_count`)."""
        labels = {"region": endpoint.region, "cloud": endpoint.cloud}
        ok = 0 < attempt.status < 500
        self.last_routed[endpoint.url] = max(
            self.last_routed.get(endpoint.url, 0.0), attempt.started
        )
        if ok:
            self.metrics.latency.labels(**labels).observe(attempt.ms / 1000.0)
            samples = self._samples.setdefault(endpoint.region, deque(maxlen=4096))
            samples.append((time.monotonic(), attempt.ms))
        elif endpoint.track != "shadow" and attempt.attempt <= self.settings.retries:
            self.metrics.failovers.labels(**labels).inc()  # retries left: Envoy retried it

    def _count(self, now: float) -> None:
        """Request and error deltas per replica from Envoy's host counters."""
        wall = time.time()
        for endpoint in self.table.endpoints:
            totals = self._totals.setdefault(endpoint.region, [0, 0])  # a zero baseline first
            host = self._host(endpoint)
            if not host:
                continue
            total = host.get("rq_success", 0) + host.get("rq_error", 0)
            errors = host.get("rq_error", 0)
            seen_total, seen_errors = self._seen.get(endpoint.url, (0, 0))
            if total < seen_total:  # the host was removed and added again: counters restart
                seen_total, seen_errors = 0, 0
            self._seen[endpoint.url] = (total, errors)
            new, failed = total - seen_total, errors - seen_errors
            if not new:
                continue
            if self._polled_wall is not None:  # one came after the last poll at the latest
                last = self.last_routed.get(endpoint.url) or 0.0
                self.last_routed[endpoint.url] = max(last, self._polled_wall)
            labels = {"region": endpoint.region, "cloud": endpoint.cloud}
            if new - failed:
                self.metrics.requests.labels(**labels, code="non-5xx").inc(new - failed)
            if failed:
                self.metrics.requests.labels(**labels, code="5xx-or-failed").inc(failed)
                self.metrics.errors.labels(**labels).inc(failed)
            totals[0] += new
            totals[1] += failed
            if endpoint.track == "shadow":
                self.shadow_sent += new
                self.shadow_failed += failed
        self._polled_wall = wall
        for region, (total, errors) in self._totals.items():
            window = self._window.setdefault(region, deque())
            window.append((now, total, errors))
            while len(window) > 2 and now - window[1][0] >= _WINDOW_S:
                window.popleft()

    def _attempt_rate(self, now: float, span: float = 1.0) -> float:
        """Attempts per second over about the last ``span`` seconds, all regions."""
        rate = 0.0
        for window in self._window.values():
            base = next((w for w in reversed(window) if now - w[0] >= span), window[0])
            if now > base[0]:
                rate += (window[-1][1] - base[1]) / (now - base[0])
        return rate

    async def _tune_sampling(self, now: float) -> None:
        """Log all successful attempts up to ~200/s, then a share that keeps ~200/s."""
        rate = self._attempt_rate(now)
        want = 1_000_000 if rate <= _SAMPLES_PER_S else int(1e6 * _SAMPLES_PER_S / rate)
        want = max(_MIN_PPM, want)
        if want == self._sample_ppm or 0.67 < want / self._sample_ppm < 1.5 and want < 1e6:
            return
        url = f"{self.admin_url}/runtime_modify?{config.ATTEMPT_SAMPLE_KEY}={want}"
        with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
            async with self._session.post(url) as reply:
                await reply.read()
                if reply.status == 200:
                    self._sample_ppm = want

    def region_stats(self, region: str, now: float) -> dict:
        """Totals, req/s, error rate (host counters) and p50/p99 (sampled) over 10 s."""
        total, errors = self._totals.get(region, (0, 0))
        window = self._window.get(region) or deque([(now, total, errors)])
        base = window[0]
        span = max(now - base[0], 1.0)
        new, failed = window[-1][1] - base[1], window[-1][2] - base[2]
        latencies = sorted(ms for t, ms in self._samples.get(region, ()) if now - t <= _WINDOW_S)
        return {
            "requests": total,
            "errors": errors,
            "rps": new / span,
            "p50_ms": _quantile(latencies, 0.50),
            "p99_ms": _quantile(latencies, 0.99),
            "error_rate": failed / new if new else 0.0,
            "replica_hours": self.ledger.region_stats(region, now)["replica_hours"],
        }

    def _host(self, endpoint: Endpoint) -> dict:
        key = (config.region_cluster(endpoint.track, endpoint.region), _host_key(endpoint.url))
        return self.view.hosts.get(key, {})

    def _bill(self, now: float) -> None:
        """Replica-seconds accrue while a replica passes its health checks."""
        if self._billed_at is not None:
            for endpoint in self.table.endpoints:
                if self._host(endpoint).get("healthy"):
                    self.ledger.add_replica_seconds(endpoint.region, now - self._billed_at)
        self._billed_at = now

    async def _poll_forever(self) -> None:
        """Attempts every 0.1 s, host health every 0.25 s (each poll costs Envoy work)."""
        polls = 0
        while True:
            if polls % _HEALTH_EVERY == 0:
                await self._refresh()
            else:
                await self._read_attempts()
            polls += 1
            if self.settings.policy in _ORDERED:
                costs = {e.region: e.cost_per_hour for e in self.table.endpoints}
                order = order_regions(
                    self.settings.policy,
                    self._region_ewma(),
                    costs,
                    self.settings.latency_bound_ms,
                    self.order,
                )
                if order != self.order:
                    self.order = order
                    self._dirty.set()
            await asyncio.sleep(_POLL_S)

    def _region_ewma(self) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for endpoint in self.table.endpoints:
            if endpoint.track != "primary":
                continue
            host = self._host(endpoint)
            value = self._probe.ewma.get(endpoint.url)
            if not host.get("healthy", True) or host.get("ejected"):
                value = None
            best = out.get(endpoint.region)
            if endpoint.region not in out or (value is not None and (best is None or value < best)):
                out[endpoint.region] = value
        return out

    async def _probe_forever(self) -> None:
        while True:
            endpoints = list(self.table.endpoints)
            await asyncio.gather(*(self._probe_one(e) for e in endpoints))
            await asyncio.sleep(self.settings.health.interval_ms / 1000.0)

    async def _probe_one(self, endpoint: Endpoint) -> None:
        url = endpoint.url.rstrip("/") + self.settings.health.path
        started = time.perf_counter()
        try:
            async with self._probe_session.get(url) as reply:
                await reply.read()
                ok = reply.status == 200
        except (TimeoutError, aiohttp.ClientError, OSError):
            ok = False
        if ok:
            self._probe.observe(endpoint.url, (time.perf_counter() - started) * 1000.0)

    # -- reporting -------------------------------------------------------------
    def snapshot(self) -> dict:
        """The builtin engine's status JSON: health and counts from Envoy's admin statistics."""
        now = time.monotonic()
        rows = []
        for endpoint in self.table.endpoints:
            host = self._host(endpoint)
            healthy = bool(host.get("healthy")) and not host.get("pending")
            row = endpoint_row(endpoint, healthy=healthy, available=healthy and not
                               host.get("ejected"), outstanding=host.get("rq_active", 0),
                               ewma_ms=self._probe.ewma.get(endpoint.url),
                               last_routed=self.last_routed.get(endpoint.url))  # fmt: skip
            rows.append((endpoint, row))
        regions = region_status(rows, lambda name: self.region_stats(name, now), self.metrics)
        # Envoy discards mirrored answers, so label disagreements are not compared here
        shadow = (self.shadow_sent, self.shadow_failed, None)
        status = gateway_status(self.settings, self.table, regions, version=self.applied_version,
                                shadow=shadow, unrouted=self.unrouted, panic_routed=0)  # fmt: skip
        return {"engine": "envoy", "order": list(self.order), **status}

    async def render_metrics(self) -> bytes:
        """skyclass's gateway metrics followed by Envoy's own statistics."""
        await self._refresh()
        self.snapshot()
        try:
            theirs = (await admin.prometheus(self._session, self.admin_url)).encode()
        except (TimeoutError, aiohttp.ClientError):
            theirs = b""
        return self.metrics.render() + theirs

    # -- the admin server ------------------------------------------------------
    def app(self) -> web.Application:
        async def health(_request: web.Request) -> web.Response:
            return web.json_response({"status": "ok", "engine": "envoy"})

        async def status(_request: web.Request) -> web.Response:
            await self._refresh()  # counts as of this request, not of the last poll
            return web.Response(body=orjson.dumps(self.snapshot()), content_type="application/json")

        async def metrics(_request: web.Request) -> web.Response:
            return web.Response(
                body=await self.render_metrics(), content_type="text/plain", charset="utf-8"
            )

        async def unknown(request: web.Request) -> web.Response:
            message = (
                f"unknown gateway path {request.path}; use /gateway/health, /gateway/status "
                "or /gateway/metrics"
            )
            return web.Response(
                status=404, text=json.dumps({"error": message}), content_type="application/json"
            )

        app = web.Application()
        app.router.add_get("/gateway/health", health)
        app.router.add_get("/gateway/status", status)
        app.router.add_get("/gateway/metrics", metrics)
        app.router.add_route("*", "/gateway/{tail:.*}", unknown)
        return app
