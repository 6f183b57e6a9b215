"""Benchmark: ``skyclass serve`` against the usual Python model servers, same model, same run.

Cases (each server: one worker on 127.0.0.1; the load comes from a separate process, a
small keep-alive HTTP/1.1 client on uvloop, at a fixed concurrency):

* ``serving_fastapi``: single-row requests, ours (V2 ``infer``) vs a plain FastAPI app
  calling a scikit-learn ``Pipeline.predict_proba`` on a one-row DataFrame;
* ``serving_mlflow``: the same against ``mlflow models serve`` of that pipeline (MLflow
  lives in its own venv, ``.tools/mlflow-venv``, installed here when missing);
* ``serving_batch``: one 10,000-row request to our server vs ``onnxruntime`` running the
  bundle's graph in-process on ready arrays (no HTTP, no JSON);
* ``serving_batch_records``: the same request vs in-process ``Bundle.predict_proba`` on
  the same 10,000 records (what a Python caller without a server would run).

Throughput ratios are ours / peer (> 1 = we are faster); the ``s`` figures are seconds
per request (single rows) or per 10,000-row batch. The machine may be shared and busy:
the numbers are what this run measured.

Run: ``python benchmarks/bench_serving.py`` (about two minutes once MLflow is installed);
``--only batch`` runs just the 10,000-row cases (no peers, no MLflow), ``--log none`` serves
them without the prediction log (the default logs to SQLite, as ``skyclass serve`` does).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MLFLOW_VENV = ROOT / ".tools" / "mlflow-venv"
CONCURRENCY = 16
DURATION_S = 4.0
WARMUP_S = 1.0
BATCH_ROWS = 10_000
NUMERIC = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
ROW = {
    "sepal_length": 5.9,
    "sepal_width": 3.0,
    "petal_length": 4.2,
    "petal_width": 1.5,
    "site": "north",
}


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


# -- peer servers (run as subprocesses of this file) ----------------------------------------


def run_fastapi_peer(port: int) -> None:
    """A plain FastAPI + scikit-learn server: records in, probabilities and labels out."""
    import pandas as pd
    import uvicorn
    from fastapi import Body, FastAPI

    pipeline = sklearn_pipeline()
    app = FastAPI()

    @app.get("/health")
    def health():
        return {"ok": True}

    @app.post("/predict")
    def predict(payload: dict = Body(...)):
        frame = pd.DataFrame(payload["instances"], columns=NUMERIC + ["site"])
        proba = pipeline.predict_proba(frame)
        labels = pipeline.classes_[proba.argmax(axis=1)]
        return {"probabilities": proba.tolist(), "labels": labels.tolist()}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def save_mlflow_model(path: str) -> None:
    """Run inside the MLflow venv: save the same pipeline with ``mlflow.sklearn``."""
    import mlflow.sklearn

    mlflow.sklearn.save_model(
        sklearn_pipeline(),
        path,
        pyfunc_predict_fn="predict_proba",
        skops_trusted_types=["numpy.dtype"],
    )


# -- load generator (separate process) ------------------------------------------------------


async def _client(host, port, request: bytes, warm_until, stop_at, latencies, errors):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            start = time.perf_counter()
            if start >= stop_at:
                return
            writer.write(request)
            status, _ = await _read_response(reader)
            end = time.perf_counter()
            if status != 200:
                errors.append(status)
            elif start >= warm_until:
                latencies.append(end - start)
    finally:
        writer.close()


async def _read_response(reader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
    if b"content-length" in headers:
        return status, await reader.readexactly(int(headers[b"content-length"]))
    body = b""
    while True:  # chunked
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body
        body += chunk[:-2]


def run_load(url: str, body_path: str, concurrency: int, duration: float) -> None:
    """Keep ``concurrency`` connections busy for ``duration`` s; print a JSON summary."""
    import uvloop

    host_port, _, path = url.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    body = Path(body_path).read_bytes()
    request = (
        f"POST /{path} HTTP/1.1\r\nHost: {host_port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body

    async def main():
        latencies, errors = [], []
        now = time.perf_counter()
        warm_until, stop_at = now + WARMUP_S, now + WARMUP_S + duration
        await asyncio.gather(
            *(
                _client(host, int(port), request, warm_until, stop_at, latencies, errors)
                for _ in range(concurrency)
            )
        )
        return latencies, errors

    latencies, errors = uvloop.run(main())
    latencies.sort()
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "throughput": len(latencies) / duration,
                "p50": latencies[len(latencies) // 2] if latencies else None,
                "p99": latencies[int(len(latencies) * 0.99)] if latencies else None,
                "errors": len(errors),
                "first_error": errors[0] if errors else None,
            }
        )
    )


def measure(url: str, body: bytes, concurrency: int = CONCURRENCY) -> dict:
    """Run the load generator in its own process against ``url``."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        handle.write(body)
    try:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--load",
                url,
                handle.name,
                str(concurrency),
                str(DURATION_S),
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
    finally:
        os.unlink(handle.name)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["errors"]:
        raise RuntimeError(
            f"{url}: {result['errors']} failed requests (first: HTTP {result['first_error']})"
        )
    return result


# -- orchestration -------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(url: str, process: subprocess.Popen, timeout: float = 180.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server for {url} exited with code {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not become ready within {timeout:.0f} s")


class _Server:
    def __init__(self, command: list[str], ready_url: str, env: dict | None = None) -> None:
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )
        self.ready_url = ready_url

    def __enter__(self):
        try:
            _wait(self.ready_url, self.process)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


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


def ensure_mlflow() -> str | None:
    """Path of MLflow's python (installing it into its own venv); ``None`` + reason printed."""
    python = MLFLOW_VENV / "bin" / "python"
    probe = [str(python), "-c", "import mlflow, sklearn; assert sklearn.__version__"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return str(python)
    try:
        subprocess.run(
            [sys.executable, "-m", "venv", str(MLFLOW_VENV)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "mlflow>=3", "scikit-learn==1.9.1"],
            check=True,
            capture_output=True,
            timeout=900,
        )
    except (subprocess.SubprocessError, OSError) as err:
        print(f"serving_mlflow: skipped (cannot install mlflow into {MLFLOW_VENV}: {err})")
        return None
    if subprocess.run(probe, capture_output=True).returncode != 0:
        print(f"serving_mlflow: skipped (mlflow in {MLFLOW_VENV} does not import)")
        return None
    return str(python)


def _line(name: str, ours: dict, peer: dict) -> str:
    ratio = ours["throughput"] / peer["throughput"]
    return (
        f"{name}: ratio={ratio:.2f} (ours {1 / ours['throughput']:.6f} s vs peer "
        f"{1 / peer['throughput']:.6f} s per request; throughput {ours['throughput']:.0f} vs "
        f"{peer['throughput']:.0f} req/s; p50 {ours['p50'] * 1e3:.2f} vs "
        f"{peer['p50'] * 1e3:.2f} ms; p99 {ours['p99'] * 1e3:.2f} vs {peer['p99'] * 1e3:.2f} ms; "
        f"concurrency {CONCURRENCY})"
    )


def bench_batch(base: str, bundle_path: Path) -> list[str]:
    """10,000-row requests one at a time (JSON and binary) vs in-process inference."""
    import httpx
    import numpy as np
    import onnxruntime as ort
    import orjson

    from skyclass.bundle import load
    from skyclass.serving import read_v2_response, v2_binary_request, v2_request

    bundle = load(bundle_path)
    frame = make_frame().drop(columns=["species"])
    rows = frame.sample(BATCH_ROWS, replace=True, random_state=0).to_dict("records")
    json_body = orjson.dumps(v2_request(bundle.schema, rows))
    binary_body, binary_headers = v2_binary_request(bundle.schema, rows)
    arrays = bundle.schema.to_arrays(rows)
    session = ort.InferenceSession(
        str(bundle_path / "model.onnx"), providers=["CPUExecutionProvider"]
    )
    feeds = {
        name: (values if values.dtype == object else values.astype(np.float64)).reshape(-1, 1)
        for name, values in arrays.items()
    }
    times: dict[str, list[float]] = {"json": [], "binary": [], "raw": [], "records": []}

    def timed(key, call):
        start = time.perf_counter()
        result = call()
        times[key].append(time.perf_counter() - start)
        return result

    url = "/v2/models/iris/infer"
    with httpx.Client(base_url=base, timeout=60) as client:
        for repeat in range(7):
            reply = timed(
                "json",
                lambda: client.post(
                    url, content=json_body, headers={"content-type": "application/json"}
                ),
            )
            assert reply.status_code == 200, reply.text[:300]
            reply = timed(
                "binary", lambda: client.post(url, content=binary_body, headers=binary_headers)
            )
            assert reply.status_code == 200, reply.text[:300]
            timed("raw", lambda: session.run(["probabilities"], feeds))
            if repeat < 3:
                timed("records", lambda: bundle.predict_proba(rows))
    decoded = read_v2_response(reply.content, reply.headers["inference-header-content-length"])
    served = np.asarray(decoded["outputs"][0]["data"]).reshape(BATCH_ROWS, -1)
    assert np.abs(served - session.run(["probabilities"], feeds)[0]).max() < 1e-5
    json_s, binary_s, raw_s = (statistics.median(times[k][2:]) for k in ("json", "binary", "raw"))
    records_s = statistics.median(times["records"][1:])
    n = BATCH_ROWS
    return [
        f"serving_batch_records: ratio={records_s / json_s:.2f} (ours {json_s:.4f} s vs peer "
        f"{records_s:.4f} s per {n}-row batch; HTTP+JSON vs in-process Bundle.predict_proba "
        "on the same records)",
        f"serving_batch_json: ratio={raw_s / json_s:.2f} (ours {json_s:.4f} s vs peer "
        f"{raw_s:.4f} s per {n}-row batch; {n / json_s:.0f} vs {n / raw_s:.0f} rows/s, "
        "HTTP+JSON vs onnxruntime in-process on ready arrays)",
        f"serving_batch: ratio={raw_s / binary_s:.2f} (ours {binary_s:.4f} s vs peer "
        f"{raw_s:.4f} s per {n}-row batch; {n / binary_s:.0f} vs {n / raw_s:.0f} rows/s, "
        "HTTP with the V2 binary data extension vs onnxruntime in-process on ready arrays)",
    ]


def batching(base: str) -> str:
    """Requests per model call so far, from the server's own metrics."""
    import httpx

    text = httpx.get(base + "/metrics").text
    values = {
        line.split()[0]: float(line.split()[1])
        for line in text.splitlines()
        if line.startswith("skyclass_batch_requests_")
    }
    calls = values.get("skyclass_batch_requests_count", 0.0)
    return f"{values.get('skyclass_batch_requests_sum', 0.0) / max(calls, 1):.2f} requests per model call"


def main(only: str | None = None, log: str | None = None) -> None:
    import orjson

    from skyclass.bundle import load
    from skyclass.serving import v2_request

    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        bundle_path = build_bundle(folder)
        v2_body = orjson.dumps(v2_request(load(bundle_path).schema, [ROW]))
        records_body = orjson.dumps({"instances": [ROW]})

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [
            sys.executable,
            "-c",
            "from skyclass.cli import main; main()",
            "serve",
            str(bundle_path),
            "--port",
            str(port),
            "--log",
            log or str(folder / "log.db"),
            "--no-access-log",
        ]
        with _Server(serve, base + "/v2/health/ready"):
            if only == "batch":
                for line in bench_batch(base, bundle_path):
                    print(line)
                return
            ours = measure(base + "/v2/models/iris/infer", v2_body)
            print(f"ours: {ours}; {batching(base)}", flush=True)
            batch_lines = bench_batch(base, bundle_path)

        port = _free_port()
        peer_cmd = [sys.executable, __file__, "--peer-fastapi", str(port)]
        with _Server(peer_cmd, f"http://127.0.0.1:{port}/health"):
            peer = measure(f"http://127.0.0.1:{port}/predict", records_body)
            print(f"fastapi+sklearn: {peer}", flush=True)
        lines.append(_line("serving_fastapi", ours, peer))

        mlflow_python = ensure_mlflow()
        if mlflow_python is not None:
            model_dir = folder / "mlflow-model"
            subprocess.run(
                [mlflow_python, __file__, "--mlflow-save", str(model_dir)],
                check=True,
                capture_output=True,
                timeout=300,
            )
            port = _free_port()
            mlflow_cmd = [
                str(Path(mlflow_python).parent / "mlflow"),
                "models",
                "serve",
                "-m",
                str(model_dir),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-w",
                "1",
                "--env-manager",
                "local",
            ]
            body = orjson.dumps({"dataframe_records": [ROW]})
            path = f"{Path(mlflow_python).parent}{os.pathsep}{os.environ.get('PATH', '')}"
            with _Server(mlflow_cmd, f"http://127.0.0.1:{port}/ping", env={"PATH": path}):
                mlflow = measure(f"http://127.0.0.1:{port}/invocations", body)
                print(f"mlflow: {mlflow}", flush=True)
            lines.append(_line("serving_mlflow", ours, mlflow))
        lines += batch_lines
    for line in lines:
        print(line)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        run_load(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    elif sys.argv[1:2] == ["--peer-fastapi"]:
        run_fastapi_peer(int(sys.argv[2]))
    elif sys.argv[1:2] == ["--mlflow-save"]:
        save_mlflow_model(sys.argv[2])
    else:
        import argparse

        parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
        parser.add_argument("--only", choices=["batch"], help="run only these cases")
        parser.add_argument("--log", help="--log for our server (default: SQLite in a temp dir)")
        options = parser.parse_args()
        main(only=options.only, log=options.log)
