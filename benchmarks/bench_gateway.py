"""Gateway benchmark: added latency over a direct call and over HAProxy, and failover time.

Three identical tiny upstream processes; the same sequential keep-alive client calls
them directly, through the skyclass gateway (a real `skyclass gateway` process,
round robin) and through HAProxy (Debian package, installed with apt-get when
missing and running as root; nginx as the fallback) balancing the same three.
Then, under steady load (200 req/s), one upstream is killed: we report the time from
its death to the last request routed to it, and failed client requests, for both.

Run: python benchmarks/bench_gateway.py
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx

from skyclass.gateway import drive

N = int(os.environ.get("BENCH_GATEWAY_N", "2000"))
PAYLOAD = b'{"inputs":[{"name":"x","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}'
PATH = "/v2/models/m/infer"

UPSTREAM = textwrap.dedent("""
    import sys, uvicorn
    REGION = sys.argv[2].encode()
    BODY = b'{"model_name":"m","outputs":[{"name":"label","datatype":"BYTES","shape":[1],"data":["cat"]}]}'
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", b"application/json"), (b"x-upstream", REGION),
            (b"x-skyclass-model-version", b"m:1")]})
        await send({"type": "http.response.body", "body": BODY})
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="error",
                access_log=False, http="httptools", loop="uvloop")
""")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise SystemExit(f"{url} did not come up")


def start_upstreams(tmp: Path) -> list[tuple[str, int, subprocess.Popen]]:
    script = tmp / "upstream.py"
    script.write_text(UPSTREAM)
    out = []
    for region in ("aws-1", "gcp-1", "azure-1"):
        port = free_port()
        proc = subprocess.Popen([sys.executable, str(script), str(port), region])
        out.append((region, port, proc))
    for _, port, _ in out:
        wait(f"http://127.0.0.1:{port}/v2/health/ready")
    return out


def start_gateway(tmp: Path, ups) -> tuple[str, subprocess.Popen]:
    port = free_port()
    regions = "".join(
        f"  - {{name: {r}, provider: external, cloud: {r.split('-')[0]}, "
        f"endpoints: ['http://127.0.0.1:{p}']}}\n"
        for r, p, _ in ups
    )
    spec = tmp / "deploy.yaml"
    spec.write_text(
        f"name: bench\nmodel: /unused\nregions:\n{regions}gateway:\n"
        f"  listen: 127.0.0.1:{port}\n  policy: round_robin\n"
        "  health: {interval_ms: 200, timeout_ms: 200}\n"
    )
    cli = [sys.executable, "-c", "from skyclass.cli import main; main()"]
    proc = subprocess.Popen([*cli, "gateway", str(spec), "--state", str(tmp / "state")])
    url = f"http://127.0.0.1:{port}"
    wait(url + "/gateway/health")
    return url, proc


def ensure_tool() -> str | None:
    for tool in ("haproxy", "nginx"):
        if shutil.which(tool):
            return tool
    if os.geteuid() == 0:
        for tool in ("haproxy", "nginx"):
            done = subprocess.run(["apt-get", "install", "-y", "-q", tool], capture_output=True)
            if done.returncode == 0 and shutil.which(tool):
                return tool
    return None


def start_peer(tool: str, tmp: Path, ups) -> tuple[str, subprocess.Popen]:
    port = free_port()
    if tool == "haproxy":
        servers = "\n".join(
            f"    server {r} 127.0.0.1:{p} check inter 200 fall 2 rise 2" for r, p, _ in ups
        )
        conf = (
            textwrap.dedent(f"""\
            global
                maxconn 4096
            defaults
                mode http
                timeout connect 2s
                timeout client 30s
                timeout server 30s
                retries 2
                option redispatch
                retry-on conn-failure empty-response response-timeout
                http-reuse always
            frontend fe
                bind 127.0.0.1:{port}
                default_backend be
            backend be
                balance roundrobin
                option httpchk GET /v2/health/ready
            """)
            + servers
            + "\n"
        )
        path = tmp / "haproxy.cfg"
        path.write_text(conf)
        proc = subprocess.Popen(["haproxy", "-f", str(path)])
    else:
        servers = "\n".join(
            f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;" for _, p, _ in ups
        )
        conf = textwrap.dedent(f"""\
            daemon off; worker_processes 1; error_log {tmp}/nginx.err; pid {tmp}/nginx.pid;
            events {{ worker_connections 4096; }}
            http {{
              access_log off;
              upstream be {{
            {servers}
                keepalive 64;
              }}
              server {{
                listen 127.0.0.1:{port};
                location / {{ proxy_pass http://be; proxy_http_version 1.1;
                  proxy_set_header Connection ""; proxy_next_upstream error timeout; }}
              }}
            }}
            """)
        path = tmp / "nginx.conf"
        path.write_text(conf)
        proc = subprocess.Popen(["nginx", "-c", str(path), "-p", str(tmp)])
    url = f"http://127.0.0.1:{port}"
    wait(url + "/v2/health/ready")
    return url, proc


def latencies(url: str, n: int = N) -> list[float]:
    """Sequential keep-alive POSTs; milliseconds each (after a warm-up)."""
    out = []
    with httpx.Client(timeout=10.0) as client:
        for _ in range(200):
            client.post(url + PATH, content=PAYLOAD)
        for _ in range(n):
            start = time.perf_counter()
            response = client.post(url + PATH, content=PAYLOAD)
            out.append((time.perf_counter() - start) * 1000.0)
            assert response.status_code == 200, response.text
    return out


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if q < 100 else max(values)


def failover(url: str, ups, victim_index: int) -> tuple[float | None, int, int]:
    """(seconds from the kill to the last attempt the gateway sent the victim, failed, total)."""
    region, _, proc = ups[victim_index]
    killed_at: list[float] = []

    def kill() -> None:
        killed_at.append(time.time())
        proc.kill()

    result = drive(url + PATH, PAYLOAD, rate=200, duration=3.0, events=[(1.0, kill)])
    status = httpx.get(url + "/gateway/status").json()
    last = status["regions"][region]["endpoints"][0]["last_routed"]
    gap = None if last is None else max(0.0, last - killed_at[0])
    return gap, result.failed, result.total


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    procs: list[subprocess.Popen] = []
    try:
        ups = start_upstreams(tmp)
        procs += [p for *_, p in ups]
        gw_url, gw = start_gateway(tmp, ups)
        procs.append(gw)
        tool = ensure_tool()
        peer_url = None
        if tool:
            peer_url, peer = start_peer(tool, tmp, ups)
            procs.append(peer)
        direct = latencies(f"http://127.0.0.1:{ups[0][1]}")
        ours = latencies(gw_url)
        theirs = latencies(peer_url) if peer_url else None
        d50, d99 = pct(direct, 50), pct(direct, 99)
        print(f"direct: p50 {d50:.3f} ms p99 {d99:.3f} ms ({N} sequential keep-alive calls)")
        print(f"skyclass gateway: p50 {pct(ours, 50):.3f} ms p99 {pct(ours, 99):.3f} ms")
        if theirs:
            print(f"{tool}: p50 {pct(theirs, 50):.3f} ms p99 {pct(theirs, 99):.3f} ms")
        # failover: the gateway first (kill upstream 0), then the peer (kill upstream 1)
        gap, failed, total = failover(gw_url, ups, 0)
        print(
            f"skyclass gateway failover: last attempt routed to the dead region "
            f"{gap if gap is None else round(gap, 3)} s after the kill; {failed}/{total} client requests failed"
        )
        peer_gap = peer_failed = peer_total = None
        if peer_url:
            peer_gap, peer_failed, peer_total = _peer_failover(peer_url, ups, 1)
            print(
                f"{tool} failover: last request answered by the dead upstream sent "
                f"{peer_gap if peer_gap is None else round(peer_gap, 3)} s after the kill; "
                f"{peer_failed}/{peer_total} client requests failed"
            )
        print(
            f"gateway_p50_added_ms: {pct(ours, 50) - d50:.3f}"
            + (f" ({tool} {pct(theirs, 50) - d50:.3f})" if theirs else "")
        )
        print(
            f"gateway_p99_added_ms: {pct(ours, 99) - d99:.3f}"
            + (f" ({tool} {pct(theirs, 99) - d99:.3f})" if theirs else "")
        )
        print(
            f"gateway_failover_s: {gap if gap is None else round(gap, 3)} failed={failed}"
            + (
                f" ({tool} {peer_gap if peer_gap is None else round(peer_gap, 3)} failed={peer_failed})"
                if peer_url
                else ""
            )
        )
        if theirs:
            a, b = pct(ours, 50) / 1000.0, pct(theirs, 50) / 1000.0
            print(f"gateway: ratio={b / a:.2f} (ours {a:.6f} s vs peer {b:.6f} s)")
        else:
            a = pct(ours, 50) / 1000.0
            print(
                f"gateway: ratio={d50 / 1000.0 / a:.2f} (ours {a:.6f} s vs peer {d50 / 1000.0:.6f} s; "
                "no haproxy/nginx: peer is the direct call)"
            )
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def _peer_failover(url: str, ups, victim_index: int) -> tuple[float | None, int, int]:
    """Like :func:`failover`, telling the serving upstream by its own response header."""
    import asyncio

    region, _, proc = ups[victim_index]
    calls: list[tuple[float, str, bool]] = []

    async def run() -> float:
        limits = httpx.Limits(max_connections=128)
        start = time.perf_counter()
        killed = [None]

        async def one(client):
            sent = time.perf_counter() - start
            try:
                r = await client.post(url + PATH, content=PAYLOAD)
                calls.append((sent, r.headers.get("x-upstream", ""), r.status_code == 200))
            except httpx.HTTPError:
                calls.append((sent, "", False))

        async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:
            tasks = []
            for i in range(600):
                delay = start + i / 200 - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if i == 200:
                    proc.kill()
                    killed[0] = time.perf_counter() - start
                tasks.append(asyncio.create_task(one(client)))
            await asyncio.gather(*tasks)
        return killed[0]

    killed = asyncio.run(run())
    sent_to_victim = [s for s, r, _ in calls if r == region]
    gap = max(0.0, max(sent_to_victim) - killed) if sent_to_victim else None
    return gap, sum(1 for *_, ok in calls if not ok), len(calls)


if __name__ == "__main__":
    main()
