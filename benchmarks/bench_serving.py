"""Benchmark: ``skyclass serve`` against the V2 model servers users would pick instead.

Every server serves the same model, one process each, on 127.0.0.1: ours (default SQLite
prediction log, ``--log none``, ``--workers 2``); MLServer with a custom onnxruntime runtime
(its ONNX path) and with its scikit-learn runtime; LitServe over onnxruntime; Triton via
PyTriton (the Triton binary PyTriton ships) over onnxruntime; MLflow's ``models serve`` of
the scikit-learn pipeline. Peers live in their own venvs under ``.tools/``, created by
``serving_peers.ensure`` on the first run (minutes).

Cases, all servers in one run, repetitions interleaved (server order rotated), medians:

* single-row requests from ``wrk`` (a native load generator in its own process, installed
  with apt when missing) at concurrency 1, 16 and 64: requests/s, p50, p99;
* one 10,000-row request at a time, JSON body and (where the server has the V2 binary data
  extension: ours, Triton) binary body, seconds per request.

For our single-process servers the report adds the micro-batcher's requests per model call
at each concurrency (from ``skyclass_batch_requests`` in their ``/metrics``).

Final lines: ``serving_c16: ratio=X.XX (...)`` is our throughput over the best peer's,
``serving_p99_c16`` the best peer p99 over ours (> 1 = our tail is shorter), ``serving_batch``
the fastest peer's 10k-row time over ours, ``serving_batch_log`` our binary 10k-row time with
the log over without (the target is <= 1.3). The machine may be shared: the load average
before and after is printed, and the numbers are what this run measured.

Run: ``python benchmarks/bench_serving.py`` (about 10 minutes; ``--peers mlserver,litserve``
to pick peers, ``--repeats``/``--duration`` to trade time for noise, ``--only batch`` for just
the 10,000-row cases of our server, ``--log`` for those).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import serving_peers as peers

HERE = Path(__file__).resolve().parent
CONCURRENCY = (1, 16, 64)
DURATION_S = 5.0
WARMUP_S = 1.0
REPEATS = 3
BATCH_ROWS = 10_000
BATCH_REPEATS = 9
NUMERIC = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
ROW = {
    "sepal_length": 5.9,
    "sepal_width": 3.0,
    "petal_length": 4.2,
    "petal_width": 1.5,
    "site": "north",
}
PEERS = ("mlserver", "litserve", "pytriton", "mlflow")


# -- the shared model: data and the scikit-learn pipeline (no skyclass imports) ------------


def make_frame():
    """Iris plus a categorical column and some missing values, deterministic."""
    import numpy as np
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    frame = iris.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    rng = np.random.default_rng(0)
    frame["site"] = rng.choice(["north", "south", "east"], size=len(frame))
    frame["species"] = iris.target_names[iris.target]
    frame = frame.drop(columns=["target"])
    frame.loc[::17, "petal_width"] = np.nan
    return frame


def sklearn_pipeline():
    """The peers' model: impute + scale / one-hot, then logistic regression."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    frame = make_frame()
    features = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["site"]),
        ]
    )
    model = Pipeline([("features", features), ("model", LogisticRegression(max_iter=1000))])
    return model.fit(frame[NUMERIC + ["site"]], frame["species"])


def build_bundle(folder: Path) -> Path:
    """Our bundle of the same model: skyclass Preprocessor + scikit-learn LogisticRegression."""
    from sklearn.linear_model import LogisticRegression

    from skyclass.data import infer_schema
    from skyclass.pipeline import Preprocessor, package

    frame = make_frame()
    schema = infer_schema(frame, target="species")
    features = frame.drop(columns=["species"])
    pre = Preprocessor(schema, min_frequency=1).fit(features)
    model = LogisticRegression(max_iter=1000).fit(pre.transform(features), frame["species"])
    return package(
        folder / "iris",
        preprocessor=pre,
        model=model,
        schema=schema,
        labels=list(model.classes_),
        target="species",
        name="iris",
        X_reference=features,
    )


def save_mlflow_model(path: str) -> None:
    """Run inside the MLflow venv: save the same pipeline with ``mlflow.sklearn``."""
    import mlflow.sklearn

    mlflow.sklearn.save_model(
        sklearn_pipeline(),
        path,
        pyfunc_predict_fn="predict_proba",
        skops_trusted_types=["numpy.dtype"],
    )


# -- servers ---------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """One server under test: how to start it, where it is ready, what to send it."""

    name: str
    command: list[str]
    ready_url: str
    infer_url: str
    row_body: bytes
    batch_json: bytes | None = None
    batch_binary: tuple[bytes, dict] | None = None
    env: dict = field(default_factory=dict)
    cwd: str | None = None
    process: subprocess.Popen | None = None

    def start(self, log_dir: Path) -> None:
        stderr = open(log_dir / f"{self.name.replace(' ', '_')}.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command,
            stdout=stderr,
            stderr=stderr,
            env={**os.environ, **self.env},
            cwd=self.cwd,
            start_new_session=True,  # its own process group: stop() ends its children too
        )

    def wait(self, timeout: float = 300.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with code {self.process.returncode}")
            try:
                if httpx.get(self.ready_url, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name}: {self.ready_url} not ready within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is None:
            return
        group = self.process.pid
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 5)):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                return
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline:
                self.process.poll()
                try:
                    os.killpg(group, 0)
                except ProcessLookupError:
                    return
                time.sleep(0.1)


def build_servers(folder: Path, bundle_path: Path, wanted: tuple[str, ...], log: str) -> list:
    """Our three configurations and every peer that installs here (reasons printed)."""
    import orjson

    from skyclass.bundle import load
    from skyclass.serving import v2_binary_request, v2_request

    schema = load(bundle_path).schema
    rows = make_frame().dropna().drop(columns=["species"])
    rows = rows.sample(BATCH_ROWS, replace=True, random_state=0).to_dict("records")
    v2_row, v2_batch = v2_request(schema, [ROW]), v2_request(schema, rows)
    binary = v2_binary_request(schema, rows)
    onnx = str(bundle_path / "model.onnx")
    servers = []
    for name, extra in (
        ("skyclass", ["--log", log]),
        ("skyclass --log none", ["--log", "none"]),
        ("skyclass --workers 2", ["--log", log, "--workers", "2"]),
    ):
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "skyclass.cli", "serve", str(bundle_path)]
        servers.append(
            Server(
                name,
                [*command, "--port", str(port), "--no-access-log", *extra],
                base + "/v2/health/ready",
                base + "/v2/models/iris/infer",
                orjson.dumps(v2_row),
                orjson.dumps(v2_batch),
                binary,
                cwd=str(folder),
            )
        )
    for peer in wanted:
        python, why = peers.ensure(peer)
        if python is None:
            print(f"{peer}: skipped ({why})", flush=True)
            continue
        servers += PEER_SERVERS[peer](python, folder, onnx, v2_row, v2_batch, binary)
    return servers


def _mlserver(python, folder, onnx, v2_row, v2_batch, binary) -> list:
    import orjson

    joblib = folder / "pipeline.joblib"
    subprocess.run(
        [python, str(HERE / "serving_peers.py"), "save-sklearn", str(joblib)], check=True
    )
    ports = (_free_port(), _free_port(), _free_port())
    models = peers.mlserver_folder(folder / "mlserver", Path(onnx), joblib, ports)
    base = f"http://127.0.0.1:{ports[0]}/v2/models"
    command = [str(Path(python).parent / "mlserver"), "start", str(models)]
    env = {"PYTHONPATH": str(HERE)}
    pandas = {"parameters": {"content_type": "pd"}, "outputs": [{"name": "predict_proba"}]}
    onnx_server = Server(
        "MLServer (ONNX runtime)",
        command,
        base + "/iris-sklearn/ready",
        base + "/iris/infer",
        orjson.dumps(v2_row),
        orjson.dumps(v2_batch),
        env=env,
    )
    sklearn_server = Server(
        "MLServer (sklearn)",
        [],  # the same process as the ONNX runtime: started once, measured separately
        base + "/iris-sklearn/ready",
        base + "/iris-sklearn/infer",
        orjson.dumps({**v2_row, **pandas}),
        orjson.dumps({**v2_batch, **pandas}),
    )
    return [onnx_server, sklearn_server]


def _litserve(python, folder, onnx, v2_row, v2_batch, binary) -> list:
    import orjson

    port = _free_port()
    command = [python, str(HERE / "litserve_onnx.py"), onnx, str(port)]
    base = f"http://127.0.0.1:{port}"
    row, batch = orjson.dumps(v2_row), orjson.dumps(v2_batch)
    return [Server("LitServe (ONNX)", command, base + "/health", base + "/predict", row, batch)]


def _pytriton(python, folder, onnx, v2_row, v2_batch, binary) -> list:
    import orjson

    port = _free_port()
    ports = [str(port), str(_free_port()), str(_free_port())]
    command = [python, str(HERE / "serving_peers.py"), "pytriton", onnx, *ports]
    base = f"http://127.0.0.1:{port}/v2/models/iris"

    def batched(body: dict) -> bytes:
        inputs = [{**tensor, "shape": [tensor["shape"][0], 1]} for tensor in body["inputs"]]
        return orjson.dumps({"inputs": inputs})

    body, headers = binary
    triton_binary = peers.triton_binary(body, int(headers["Inference-Header-Content-Length"]))
    return [
        Server(
            "Triton via PyTriton",
            command,
            base + "/ready",
            base + "/infer",
            batched(v2_row),
            batched(v2_batch),
            triton_binary,
        )
    ]


def _mlflow(python, folder, onnx, v2_row, v2_batch, binary) -> list:
    import orjson

    model_dir = folder / "mlflow-model"
    subprocess.run([python, __file__, "--mlflow-save", str(model_dir)], check=True)
    port = _free_port()
    bin_dir = Path(python).parent
    command = [str(bin_dir / "mlflow"), "models", "serve", "-m", str(model_dir)]
    command += ["-h", "127.0.0.1", "-p", str(port), "-w", "1", "--env-manager", "local"]
    columns = [tensor["name"] for tensor in v2_batch["inputs"]]
    data = list(zip(*(tensor["data"] for tensor in v2_batch["inputs"])))
    return [
        Server(
            "MLflow (sklearn)",
            command,
            f"http://127.0.0.1:{port}/ping",
            f"http://127.0.0.1:{port}/invocations",
            orjson.dumps({"dataframe_records": [ROW]}),
            orjson.dumps({"dataframe_split": {"columns": columns, "data": data}}),
            env={"PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        )
    ]


PEER_SERVERS = {
    "mlserver": _mlserver,
    "litserve": _litserve,
    "pytriton": _pytriton,
    "mlflow": _mlflow,
}


# -- load: wrk for single rows, one request at a time for 10k rows ---------------------------

_LUA = """
local f = io.open(os.getenv("BENCH_BODY"), "rb")
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"
"""
_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def ensure_wrk() -> str:
    """The path of ``wrk``, installing Debian's package when it is missing (as root)."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(apt, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, check=True)
        subprocess.run(apt, capture_output=True, check=True)
    return shutil.which("wrk") or "wrk"


def run_wrk(wrk: str, server: Server, concurrency: int, duration: float, tmp: Path) -> dict:
    """Requests/s, p50 and p99 (seconds) of ``concurrency`` keep-alive connections."""
    body = tmp / "body.json"
    body.write_bytes(server.row_body)
    script = tmp / "post.lua"
    script.write_text(_LUA)
    threads = str(min(concurrency, 2))
    env = {**os.environ, "BENCH_BODY": str(body)}
    batches = None
    for seconds in (WARMUP_S, duration):  # a warm-up run, then the measured one
        command = [wrk, "-t", threads, "-c", str(concurrency), "-d", f"{max(1, round(seconds))}s"]
        command += ["--timeout", "30s", "--latency", "-s", str(script), server.infer_url]
        if seconds == duration:
            batches = batch_counts(server)
        out = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"{server.name}: {' '.join(command)} failed: {out.stderr}")
    result = parse_wrk(out.stdout, server.name)
    after = batch_counts(server)
    if batches is not None and after is not None and after[1] > batches[1]:
        result["per_call"] = (after[0] - batches[0]) / (after[1] - batches[1])
    return result


def batch_counts(server: Server) -> tuple[float, float] | None:
    """(requests, model calls) so far, from our single-process server's ``/metrics``."""
    if not server.name.startswith("skyclass") or "--workers" in server.name:
        return None
    import httpx

    text = httpx.get(server.infer_url.split("/v2/")[0] + "/metrics", timeout=10).text
    found = dict(re.findall(r"^skyclass_batch_requests_(sum|count) ([\d.e+]+)$", text, re.M))
    return float(found.get("sum", 0)), float(found.get("count", 0))


def parse_wrk(text: str, name: str) -> dict:
    """The numbers of one ``wrk --latency`` report; failed requests are an error."""
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    timeouts = re.search(r"Socket errors: .*timeout (\d+)", text)
    if failed or (timeouts and int(timeouts.group(1))):
        raise RuntimeError(f"{name}: failed requests under load:\n{text}")
    percent = {
        p: float(v) * _UNITS[u]
        for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)", text, re.M)
    }
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if rps is None or "50" not in percent:
        raise RuntimeError(f"{name}: no numbers in the wrk report:\n{text}")
    return {"rps": float(rps.group(1)), "p50": percent["50"], "p99": percent["99"]}


def time_batches(servers: list[Server]) -> dict[tuple[str, str], float]:
    """Median seconds per 10,000-row request, per (server, body kind), interleaved."""
    import httpx

    times: dict[tuple[str, str], list[float]] = {}
    clients = {server.name: httpx.Client(timeout=120) for server in servers}
    try:
        for repeat in range(BATCH_REPEATS):
            for server in _rotated(servers, repeat):
                bodies = [("json", server.batch_json, {"content-type": "application/json"})]
                if server.batch_binary is not None:
                    bodies.append(("binary", *server.batch_binary))
                for kind, body, headers in bodies:
                    if body is None:
                        continue
                    start = time.perf_counter()
                    reply = clients[server.name].post(
                        server.infer_url, content=body, headers=headers
                    )
                    seconds = time.perf_counter() - start
                    if reply.status_code != 200:
                        raise RuntimeError(
                            f"{server.name} {kind}: HTTP {reply.status_code} {reply.text[:300]}"
                        )
                    times.setdefault((server.name, kind), []).append(seconds)
    finally:
        for client in clients.values():
            client.close()
    return {key: statistics.median(values[2:]) for key, values in times.items()}


def _rotated(items: list, shift: int) -> list:
    shift %= len(items)
    return items[shift:] + items[:shift]


def check_answers(servers: list[Server]) -> None:
    """Every ONNX server returns our probabilities for the benchmark row (same model)."""
    import httpx
    import numpy as np

    reference = None
    for server in servers:
        reply = httpx.post(
            server.infer_url,
            content=server.row_body,
            timeout=30,
            headers={"content-type": "application/json"},
        )
        if reply.status_code != 200:
            raise RuntimeError(f"{server.name}: HTTP {reply.status_code} {reply.text[:300]}")
        body = reply.json()
        if "outputs" not in body or "sklearn" in server.name:
            continue  # the scikit-learn peers run the pipeline, not the ONNX graph
        proba = np.asarray(body["outputs"][0]["data"], dtype=np.float64)
        reference = proba if reference is None else reference
        if np.abs(proba - reference).max() > 1e-5:
            raise RuntimeError(f"{server.name} answers {proba}, ours {reference}")


# -- report ----------------------------------------------------------------------------------


def report(load: dict, batches: dict, servers: list[Server]) -> list[str]:
    """A markdown table, then the final ratio lines."""
    names = [server.name for server in servers]
    print(
        "\n| server | "
        + " | ".join(f"c={c}: req/s, p50 / p99 ms" for c in CONCURRENCY)
        + " | 10k rows JSON / binary ms |"
    )
    print("|---" * (len(CONCURRENCY) + 2) + "|")
    for name in names:
        cells = []
        for c in CONCURRENCY:
            m = load[(name, c)]
            cells.append(f"{m['rps']:,.0f}, {m['p50'] * 1e3:.1f} / {m['p99'] * 1e3:.1f}")
        batch = " / ".join(
            f"{batches[(name, kind)] * 1e3:.1f}" if (name, kind) in batches else "-"
            for kind in ("json", "binary")
        )
        print(f"| {name} | " + " | ".join(cells) + f" | {batch} |")
    for name in names:
        calls = [f"c={c}: {load[(name, c)]['per_call']:.1f}" for c in CONCURRENCY
                 if "per_call" in load[(name, c)]]  # fmt: skip
        if calls:
            print(f"{name}: requests per model call (micro-batching) " + ", ".join(calls))
    ours = "skyclass"
    others = [n for n in names if not n.startswith("skyclass")]
    lines = []
    if not others:
        return lines
    for c in CONCURRENCY:
        mine = load[(ours, c)]
        fastest = max(others, key=lambda n: load[(n, c)]["rps"])
        tightest = min(others, key=lambda n: load[(n, c)]["p99"])
        peer, best = load[(fastest, c)], load[(tightest, c)]
        lines.append(
            f"serving_c{c}: ratio={mine['rps'] / peer['rps']:.2f} (ours {mine['rps']:.0f} vs peer "
            f"{peer['rps']:.0f} req/s, {fastest}; single-row V2 requests, {c} connections)"
        )
        lines.append(
            f"serving_p99_c{c}: ratio={best['p99'] / mine['p99']:.2f} (ours {mine['p99'] * 1e3:.2f} "
            f"ms vs peer {best['p99'] * 1e3:.2f} ms p99, {tightest}; > 1 = our tail is shorter)"
        )
    for kind in ("json", "binary"):
        peers_kind = [n for n in others if (n, kind) in batches]
        if peers_kind and (ours, kind) in batches:
            fastest = min(peers_kind, key=lambda n: batches[(n, kind)])
            mine, peer = batches[(ours, kind)], batches[(fastest, kind)]
            label = "serving_batch" if kind == "binary" else "serving_batch_json"
            lines.append(
                f"{label}: ratio={peer / mine:.2f} (ours {mine:.4f} s vs peer {peer:.4f} s per "
                f"{BATCH_ROWS}-row {kind} request, {fastest})"
            )
    return lines


def log_line(batches: dict) -> str | None:
    on, off = batches.get(("skyclass", "binary")), batches.get(("skyclass --log none", "binary"))
    if on is None or off is None:
        return None
    return (
        f"serving_batch_log: ratio={on / off:.2f} (ours with the SQLite log {on:.4f} s vs ours "
        f"--log none {off:.4f} s per {BATCH_ROWS}-row binary request; target <= 1.3)"
    )


def main(wanted: tuple[str, ...], repeats: int, duration: float, only: str | None, log: str | None):
    wrk = ensure_wrk()
    print(f"load average before: {os.getloadavg()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bundle_path = build_bundle(folder)
        servers = build_servers(
            folder, bundle_path, () if only else wanted, log or str(folder / "log.db")
        )
        if only == "batch":
            servers = servers[:2]
        logs = folder / "logs"
        logs.mkdir()
        try:
            for server in servers:
                if server.command:
                    server.start(logs)
            for server in servers:
                server.wait()
            check_answers(servers)
            load: dict = {}
            if only != "batch":
                for repeat in range(repeats):
                    for c in CONCURRENCY:
                        for server in _rotated(servers, repeat):
                            result = run_wrk(wrk, server, c, duration, folder)
                            load.setdefault((server.name, c), []).append(result)
                            print(f"repeat {repeat + 1} c={c} {server.name}: {result}", flush=True)
            batches = time_batches(servers)
        finally:
            for server in servers:
                server.stop()
    medians = {
        key: {
            m: statistics.median(r[m] for r in results)
            for m in ("rps", "p50", "p99", "per_call")
            if all(m in r for r in results)
        }
        for key, results in load.items()
    }
    lines = report(medians, batches, servers) if medians else []
    if only == "batch":
        for (name, kind), seconds in sorted(batches.items()):
            print(f"{name} {kind}: {seconds * 1e3:.1f} ms per {BATCH_ROWS}-row request")
    print(f"load average after: {os.getloadavg()} (2 cores shared with other work: noisy)")
    extra = log_line(batches)
    for line in [*lines, *([extra] if extra else [])]:
        print(line)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--mlflow-save"]:
        save_mlflow_model(sys.argv[2])
    else:
        import argparse

        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated peers")
        parser.add_argument("--repeats", type=int, default=REPEATS)
        parser.add_argument(
            "--duration", type=float, default=DURATION_S, help="seconds per wrk run"
        )
        parser.add_argument("--only", choices=["batch"], help="just our 10,000-row cases")
        parser.add_argument("--log", help="--log for our server (default: SQLite in a temp dir)")
        options = parser.parse_args()
        wanted = tuple(p for p in options.peers.split(",") if p)
        unknown = sorted(set(wanted) - set(PEERS))
        if unknown:
            parser.error(f"unknown peers {unknown}; choose from {', '.join(PEERS)}")
        main(wanted, options.repeats, options.duration, options.only, options.log)
