"""`make demo`: the whole skyclass story on embedded data, end to end.

train → bundle → registry → replicate to three clouds' stores → deploy three local regions
(aws/gcp/azure labels) behind the failover gateway → traffic → kill a region mid-traffic
(zero failed requests) → status table → drifted traffic + late labels → monitoring summary
→ down. Every step runs the real `skyclass` command a user would type; the commands are
printed as they run. Stores are local folders standing in for S3/GCS/Azure Blob (the test
suite runs the same code against real S3, GCS and Azure emulators).
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "demo-out"
DATA = ROOT / "examples" / "wine.csv"
TARGET = "cultivar"
NAME = "wine"
REGISTRY = f"file://{OUT / 'registry'}"
STATE = OUT / "state"
SPEC = OUT / "deploy.yaml"
KEY = OUT / "keys" / "demo"  # a demo signing key pair: KEY.key (private) and KEY.pub


def step(title: str) -> None:
    print(f"\n\033[1;36m== {title}\033[0m", flush=True)


def run(*args: str, capture: bool = False) -> str:
    """Run a skyclass command as a user would, showing it first; stop the demo if it fails."""
    print(f"$ skyclass {shlex.join(args)}", flush=True)
    env = {**os.environ, "SKYCLASS_STATE": str(STATE)}
    done = subprocess.run(
        [sys.executable, "-m", "skyclass.cli", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    if done.returncode not in (0,):
        sys.exit(f"demo stopped: `skyclass {shlex.join(args)}` exited {done.returncode}")
    return done.stdout or ""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_spec(gateway_port: int) -> None:
    from skyclass.gateway import default_engine

    regions = [
        ("aws-us-east-1", "aws", "us", 0.40, 0),
        ("gcp-europe-west4", "gcp", "eu", 0.35, 15),
        ("azure-westeurope", "azure", "eu", 0.30, 10),
    ]
    lines = [
        f"name: {NAME}",
        f"model: {REGISTRY}/{NAME}@champion",
        "regions:",
    ]
    for name, cloud, zone, cost, delay in regions:
        lines += [
            f"  - name: {name}",
            "    provider: local",
            f"    cloud: {cloud}",
            f"    zone: {zone}",
            "    replicas: 1",
            f"    cost_per_hour: {cost}",
            f"    store: file://{OUT / 'stores' / cloud}",
            f"    delay_ms: {delay}",
        ]
    lines += [
        f"trust: {{keys: [{KEY}.pub]}}",  # replicas serve only a bundle this key signed
        "tls: {replicas: mutual}",  # deployment CA; gateway and replicas check each other
        "gateway:",
        f"  engine: {default_engine()}",  # envoy wherever skyclass[envoy] is installed
        f"  listen: 127.0.0.1:{gateway_port}",
        "  policy: latency",
        "  residency: {header: X-Data-Zone}",
        "  health: {interval_ms: 250, timeout_ms: 1000, unhealthy_after: 2, healthy_after: 2}",
        "  retries: 2",
        "monitor:",
        "  rules:",
        "    - {metric: drift_share, at_least: 0.5}",
        "    - {metric: accuracy, below: 0.8, min_rows: 30}",
    ]
    SPEC.write_text("\n".join(lines) + "\n")


class Traffic:
    """Steady V2 requests through the gateway from a background thread; counts every outcome."""

    def __init__(self, url: str, rows: list[dict]) -> None:
        self.url, self.rows = url, rows
        self.sent = self.failed = 0
        self.by_region: dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self) -> None:
        with httpx.Client(timeout=10) as client:
            while not self._stop.is_set():
                row = self.rows[self.sent % len(self.rows)]
                try:
                    reply = client.post(self.url, json={"instances": [row]})
                    ok = reply.status_code == 200
                    region = reply.headers.get("x-skyclass-region", "?")
                    self.by_region[region] = self.by_region.get(region, 0) + 1
                except httpx.HTTPError:
                    ok = False
                self.sent += 1
                self.failed += not ok

    def __enter__(self) -> Traffic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def drifted_traffic_and_feedback(gateway: str, table: pd.DataFrame) -> None:
    """Normal then shifted rows through the gateway, then late labels for half of them."""
    features = [c for c in table.columns if c != TARGET]
    shifted = table.copy()
    shifted[features] = shifted[features] + 1.5 * shifted[features].std()  # the world moved
    with httpx.Client(timeout=30) as client:
        for frame, batches in ((table, 8), (shifted, 40)):
            truth = []
            for seed in range(batches):
                part = frame.sample(50, replace=True, random_state=seed)
                reply = client.post(
                    f"{gateway}/v2/models/{NAME}/predict",
                    json={"instances": part[features].to_dict(orient="records")},
                    headers={"x-skyclass-durable": "true"},
                )
                reply.raise_for_status()
                predictions = reply.json()["predictions"]
                truth += [
                    {"id": p["id"], "label": y}
                    for p, y in zip(predictions, part[TARGET], strict=True)
                ][::2]
            client.post(f"{gateway}/v2/models/{NAME}/feedback", json=truth).raise_for_status()
    print("sent 400 normal and 2,000 shifted rows (+1.5 std), then late labels for half of them")


def main() -> None:
    try:
        story()
    finally:
        if STATE.exists():
            subprocess.run(
                [sys.executable, "-m", "skyclass.cli", "down", "--state", str(STATE)],
                capture_output=True,
            )


def story() -> None:
    if OUT.exists():
        subprocess.run(
            [sys.executable, "-m", "skyclass.cli", "down", "--state", str(STATE)],
            capture_output=True,
        )
        shutil.rmtree(OUT)
    OUT.mkdir()
    table = pd.read_csv(DATA)

    step("1. Train: validate, explore, tune, evaluate, explain, package, sign, report")
    run("registry", "keygen", str(KEY))
    run(
        "train", str(DATA), "--target", TARGET, "--name", NAME, "--out", str(OUT / "train"),
        "--registry", REGISTRY, "--time-budget", "60", "--cv", "3", "--seed", "0",
        "--sign", f"{KEY}.key",
    )  # fmt: skip

    step("2. Registry: the new version becomes the champion; its signature verifies")
    from skyclass.bundle import Registry

    version = Registry(REGISTRY).resolve(NAME, "latest")
    run("registry", "alias", REGISTRY, NAME, "champion", str(version))
    run("registry", "list", REGISTRY)
    run("registry", "verify", f"{REGISTRY}/{NAME}@champion", "--key", f"{KEY}.pub")

    step("3. Deploy three regions (aws/us, gcp/eu, azure/eu) behind one gateway")
    port = free_port()
    gateway = f"http://127.0.0.1:{port}"
    write_spec(port)
    print(SPEC.read_text())
    run("deploy", str(SPEC))

    step("4. A V2 client calls the gateway")
    features = [c for c in table.columns if c != TARGET]
    first = table.iloc[0]
    request = {
        "id": "demo-1",
        "inputs": [
            {"name": c, "datatype": "FP64", "shape": [1], "data": [float(first[c])]}
            for c in features
        ],
    }
    reply = httpx.post(f"{gateway}/v2/models/{NAME}/infer", json=request, timeout=30)
    reply.raise_for_status()
    print(
        f"HTTP {reply.status_code} from region {reply.headers.get('x-skyclass-region')}, "
        f"model {reply.headers.get('x-skyclass-model-version')}"
    )
    status = httpx.get(f"{gateway}/gateway/status", timeout=10).json()
    urls = [e["url"] for r in status["regions"].values() for e in r["endpoints"]]
    print(f"gateway engine: {status.get('engine', 'builtin')}; replicas over mutual TLS: {urls}")
    for output in reply.json()["outputs"]:
        print(f"  {output['name']}: {output['data']}")

    step("5. Failover: kill a region while traffic flows")
    rows = table[features].to_dict(orient="records")
    with Traffic(f"{gateway}/v2/models/{NAME}/predict", rows) as traffic:
        time.sleep(3)
        killed_at = traffic.sent
        run("chaos", "aws-us-east-1", "--kill")
        time.sleep(4)
    print(
        f"{traffic.sent} requests ({traffic.sent - killed_at} after the kill), "
        f"{traffic.failed} failed; served by region: {traffic.by_region}"
    )
    if traffic.failed:
        sys.exit("demo stopped: requests failed during failover")

    step("6. Status of every region")
    run("status")

    step("7. Drifted traffic and late labels, then one monitoring pass")
    drifted_traffic_and_feedback(gateway, table)
    run(
        "monitor", f"{REGISTRY}/{NAME}@champion", "--log", str(STATE / NAME / "logs" / "*.db"),
        "--config", str(SPEC), "--gateway", gateway, "--html", str(OUT / "monitor.html"),
    )  # fmt: skip

    step("8. Down")
    run("down")
    shutil.rmtree(STATE)
    print(
        f"\nbundle:  {OUT / 'train' / 'bundle'}\nreport:  {OUT / 'train' / 'report.html'}\n"
        f"monitor: {OUT / 'monitor.html'}\nregistry: {REGISTRY}"
    )


if __name__ == "__main__":
    main()
