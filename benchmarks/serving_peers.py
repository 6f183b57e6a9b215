"""The peer model servers of ``bench_serving.py``, each in its own venv under ``.tools/``.

Every peer serves the same model: the bundle's ``model.onnx`` run by onnxruntime (MLServer
through a custom runtime, LitServe, Triton through PyTriton), or the equivalent scikit-learn
pipeline (MLServer's scikit-learn runtime, MLflow). ``ensure(name)`` creates the venv and
installs the pinned packages the first time (minutes); each ``serve_*`` function below runs
inside that venv as ``python serving_peers.py PEER ARGS...``.

Example:
    >>> sorted(VENVS)
    ['litserve', 'mlflow', 'mlserver', 'pytriton']
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / ".tools"
HERE = Path(__file__).resolve().parent

#: venv name -> (pip requirements, the import that proves the venv works)
VENVS = {
    "mlserver": (
        ["mlserver==1.7.1", "mlserver-sklearn==1.7.1", "onnxruntime>=1.20", "scikit-learn==1.9.1"],
        "import mlserver, mlserver_sklearn, onnxruntime, sklearn",
    ),
    "litserve": (
        ["litserve==0.2.19", "onnxruntime>=1.20", "numpy"],
        "import litserve, onnxruntime",
    ),
    "pytriton": (["nvidia-pytriton==0.7.0", "onnxruntime>=1.20"], "import pytriton, onnxruntime"),
    "mlflow": (["mlflow>=3", "scikit-learn==1.9.1"], "import mlflow, sklearn"),
}


def base_python(name: str) -> str:
    """The interpreter a peer's venv is made from.

    Triton's Python backend stub links the system ``libpython3.X.so``; a venv over another
    build of the same minor version (pyenv's 3.11.7 against Debian's 3.11.2) fails inside
    ``multiprocessing`` as the model loads, so PyTriton gets the system Python when there is one.
    """
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    system = Path("/usr/bin") / version
    if name == "pytriton" and system.exists():
        return str(system)
    ours = Path(sys.base_prefix) / "bin" / version  # the interpreter under our own venv
    return str(ours) if ours.exists() else sys.executable


def ensure(name: str) -> tuple[str | None, str]:
    """``(python of the peer's venv, "")``, installing it when missing; ``(None, why)`` if not."""
    packages, probe = VENVS[name]
    venv = TOOLS / f"{name}-venv"
    python = venv / "bin" / "python"
    base = base_python(name)
    if (
        python.exists()
        and _home(venv) == str(Path(base).parent)
        and subprocess.run([str(python), "-c", probe]).returncode == 0
    ):
        return str(python), ""
    try:
        subprocess.run([base, "-m", "venv", "--clear", str(venv)], check=True, timeout=300)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *packages],
            check=True,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    except subprocess.CalledProcessError as err:
        return None, f"pip install {' '.join(packages)} failed: {err.stderr.strip()[-300:]}"
    except (subprocess.SubprocessError, OSError) as err:
        return None, f"cannot create {venv}: {err}"
    if subprocess.run([str(python), "-c", probe], capture_output=True).returncode != 0:
        return None, f"{venv} installed but '{probe}' fails"
    return str(python), ""


def _home(venv: Path) -> str:
    """The directory of the interpreter ``venv`` was made from (its ``pyvenv.cfg`` home)."""
    config = venv / "pyvenv.cfg"
    lines = config.read_text().splitlines() if config.exists() else []
    homes = [line.partition("=")[2].strip() for line in lines if line.startswith("home")]
    return homes[0] if homes else ""


# -- request bodies: the same rows in each peer's dialect ------------------------------------


def v2_body(columns: dict[str, list], *, batch_dim: bool = False, extra: dict | None = None):
    """A V2 JSON infer body, one tensor per column (``[n, 1]`` shapes with ``batch_dim``)."""
    inputs = []
    for name, values in columns.items():
        datatype = "BYTES" if isinstance(values[0], str) else "FP64"
        shape = [len(values), 1] if batch_dim else [len(values)]
        inputs.append({"name": name, "datatype": datatype, "shape": shape, "data": values})
    return {"inputs": inputs, **(extra or {})}


def triton_binary(body: bytes, header_length: int) -> tuple[bytes, dict]:
    """Our V2 binary request rewritten for Triton: ``[n, 1]`` input shapes, binary output."""
    header = json.loads(body[:header_length])
    for tensor in header["inputs"]:
        tensor["shape"] = [tensor["shape"][0], 1]
    header["outputs"] = [{"name": "probabilities", "parameters": {"binary_data": True}}]
    header.pop("parameters", None)
    head = json.dumps(header).encode()
    headers = {
        "Content-Type": "application/octet-stream",
        "Inference-Header-Content-Length": str(len(head)),
    }
    return head + body[header_length:], headers


# -- MLServer ---------------------------------------------------------------------------------


def mlserver_folder(folder: Path, onnx: Path, joblib: Path, ports: tuple[int, int, int]) -> Path:
    """Write MLServer's settings: model ``iris`` (ONNX runtime), ``iris-sklearn`` (sklearn)."""
    http, grpc, metrics = ports
    folder.mkdir(parents=True, exist_ok=True)
    settings = {
        "host": "127.0.0.1",
        "http_port": http,
        "grpc_port": grpc,
        "metrics_port": metrics,
        "parallel_workers": 0,  # its worker pool dies at start here: no event loop in the child
    }
    (folder / "settings.json").write_text(json.dumps(settings))
    models = {
        "iris": {"implementation": "mlserver_onnx.OnnxModel", "parameters": {"uri": str(onnx)}},
        "iris-sklearn": {
            "implementation": "mlserver_sklearn.SKLearnModel",
            "parameters": {"uri": str(joblib)},
        },
    }
    for name, spec in models.items():
        (folder / name).mkdir(exist_ok=True)
        (folder / name / "model-settings.json").write_text(json.dumps({"name": name, **spec}))
    return folder


def save_sklearn(path: str) -> None:
    """Inside the MLServer venv: the benchmark's scikit-learn pipeline, as MLServer loads it."""
    import joblib

    sys.path.insert(0, str(HERE))
    from bench_serving import sklearn_pipeline

    joblib.dump(sklearn_pipeline(), path)


# -- Triton (PyTriton) ------------------------------------------------------------------------


def serve_pytriton(onnx: str, port: int, grpc_port: int, metrics_port: int) -> None:
    """Triton (the binary PyTriton ships) serving ``model.onnx`` through a Python function."""
    import numpy as np
    import onnxruntime as ort
    from pytriton.decorators import batch
    from pytriton.model_config import ModelConfig, Tensor
    from pytriton.triton import Triton, TritonConfig

    session = ort.InferenceSession(onnx, providers=["CPUExecutionProvider"])
    inputs = [(item.name, item.type) for item in session.get_inputs()]

    @batch
    def infer(**tensors):
        feeds = {
            name: (
                np.char.decode(tensors[name].astype(np.bytes_), "utf-8").astype(object)
                if kind == "tensor(string)"
                else tensors[name].astype(np.float64)
            )
            for name, kind in inputs
        }
        return {"probabilities": session.run(["probabilities"], feeds)[0]}

    config = TritonConfig(
        http_address="127.0.0.1",
        http_port=port,
        grpc_address="127.0.0.1",
        grpc_port=grpc_port,
        metrics_port=metrics_port,
        log_verbose=0,
    )
    with Triton(config=config) as triton:
        triton.bind(
            model_name="iris",
            infer_func=infer,
            inputs=[
                Tensor(
                    name=name,
                    dtype=np.bytes_ if kind == "tensor(string)" else np.float64,
                    shape=(1,),
                )
                for name, kind in inputs
            ],
            outputs=[Tensor(name="probabilities", dtype=np.float32, shape=(-1,))],
            config=ModelConfig(max_batch_size=16_384),
            strict=False,
        )
        triton.serve()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "pytriton":
        serve_pytriton(args[0], *(int(a) for a in args[1:4]))
    elif command == "save-sklearn":
        save_sklearn(args[0])
    else:
        raise SystemExit(f"unknown peer command {command!r}")
