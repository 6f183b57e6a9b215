"""Bundle size and load time for a 100-feature model, against a joblib pickle of the same pipeline.

Ours: ``skyclass.bundle.load(path)`` — reads the files, checks every SHA-256,
builds the onnxruntime session and re-runs the golden rows (verify=True).
Peer: ``joblib.load`` of the equivalent scikit-learn pipeline (imputer + scaler
+ one-hot + LogisticRegression). The pickle is written and read here only, as
the comparison; skyclass itself never unpickles anything.

Signed bundles: the same load with ``trusted_keys`` (signature checked first) next
to today's ``load``, warm and in a fresh process (where importing model-signing is
paid once), and the signature check alone next to the upstream model-signing
verifier run on the same directory (printed as ``bundle_signature: ratio=...``).

Run: python benchmarks/bench_bundle.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skyclass.bundle import generate_key, load, read_files, sign, verify_signature
from skyclass.data import infer_schema
from skyclass.pipeline import Preprocessor, package

N_ROWS, N_NUMERIC, N_CATEGORICAL, REPEATS = 5000, 90, 10, 15


def make_table(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {f"n{i}": rng.normal(size=N_ROWS) for i in range(N_NUMERIC)}
    data |= {f"c{i}": rng.choice(list("abcde"), N_ROWS) for i in range(N_CATEGORICAL)}
    df = pd.DataFrame(data)
    score = df[[f"n{i}" for i in range(5)]].to_numpy() @ rng.normal(size=5)
    df["y"] = pd.cut(score, 5, labels=["v", "w", "x", "y", "z"]).astype(str)
    return df


def timed(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size


def main() -> None:
    df = make_table()
    schema = infer_schema(df, target="y")
    pre = Preprocessor(schema).fit(df)
    model = LogisticRegression(max_iter=300).fit(pre.transform(df), df["y"])
    numeric = [c.name for c in schema if c.kind == "numeric"]
    categorical = [c.name for c in schema if c.kind == "categorical"]
    peer = make_pipeline(
        ColumnTransformer(
            [
                ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
                ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
            ]
        ),
        LogisticRegression(max_iter=300),
    ).fit(df.drop(columns="y"), df["y"])
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        bundle_dir, zipped = (
            package(
                tmp / layout,
                preprocessor=pre,
                model=model,
                schema=schema,
                labels=list(model.classes_),
                target="y",
                name="bench",
                X_reference=df,
            )
            for layout in ("bundle", "bundle.skyclass")  # a directory, then one zip file
        )
        pickle_path = tmp / "peer.joblib"
        joblib.dump(peer, pickle_path)
        n_features = pre.n_features_out_
        print(
            f"model: {len(schema)} input columns -> {n_features} features, {len(model.classes_)} classes"
        )
        print(
            f"bundle directory: {size(bundle_dir) / 1024:.1f} KiB "
            f"(model.onnx {size(bundle_dir / 'model.onnx') / 1024:.1f} KiB, "
            f"reference.json {size(bundle_dir / 'reference.json') / 1024:.1f} KiB)"
        )
        print(
            f"bundle .skyclass zip: {size(zipped) / 1024:.1f} KiB; joblib pickle: {size(pickle_path) / 1024:.1f} KiB"
        )
        load(bundle_dir)  # warm imports and file cache for both sides
        joblib.load(pickle_path)
        ours_unverified = timed(lambda: load(bundle_dir, verify=False))
        ours_zip = timed(lambda: load(zipped))
        ours = timed(lambda: load(bundle_dir))
        peer_time = timed(lambda: joblib.load(pickle_path))
        print(
            f"load verify=False: {ours_unverified * 1e3:.1f} ms; .skyclass zip verified: {ours_zip * 1e3:.1f} ms"
        )
        bundle = load(bundle_dir)
        row = df.drop(columns="y").iloc[[0]]
        one = timed(lambda: bundle.predict_proba(row), 50)
        one_peer = timed(lambda: peer.predict_proba(row), 50)
        print(
            f"predict one row: ours {one * 1e3:.2f} ms (validated) vs sklearn pipeline {one_peer * 1e3:.2f} ms"
        )
        signatures(tmp, bundle_dir)
    print(
        f"bundle_load: ratio={peer_time / ours:.2f} (ours {ours:.4f} s vs peer {peer_time:.4f} s)"
    )


def cold(code: str) -> float:
    """Median wall time of a fresh ``python -c code`` (interpreter start included)."""
    return timed(lambda: subprocess.run([sys.executable, "-c", code], check=True), 5)


def interleaved(first, second, repeats: int) -> tuple[float, float]:
    """Median times of ``first`` and ``second`` run alternately (a busy machine drifts alike)."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeats):
        for fn, out in zip((first, second), times, strict=True):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return statistics.median(times[0]), statistics.median(times[1])


def signatures(tmp: Path, bundle_dir: Path) -> None:
    """Load-time overhead of signature verification, and the check next to model-signing's own."""
    from model_signing import hashing, verifying

    signed = shutil.copytree(bundle_dir, tmp / "signed")
    private, public = generate_key(tmp / "bench")
    sign(signed, private)
    trusted = [public]
    load(signed, trusted_keys=trusted)  # warm: model-signing imported, files cached
    today, warm = interleaved(
        lambda: load(bundle_dir), lambda: load(signed, trusted_keys=trusted), 3 * REPEATS
    )
    files = read_files(signed)
    ours = timed(lambda: verify_signature(files, trusted, "bench"))
    upstream = (  # as `model_signing verify key DIR --signature DIR/model.sig` configures it
        verifying.Config()
        .use_elliptic_key_verifier(public_key=public)
        .set_hashing_config(hashing.Config().set_ignored_paths(paths=["model.sig"]))
    )
    peer = timed(lambda: upstream.verify(signed, signed / "model.sig"))
    base = f"from skyclass.bundle import load; load({str(bundle_dir)!r})"
    checked = (
        f"from skyclass.bundle import load; load({str(signed)!r}, trusted_keys=[{str(public)!r}])"
    )
    cold_today, cold_signed = cold(base), cold(checked)
    print(
        f"load() today {today * 1e3:.1f} ms; with trusted_keys {warm * 1e3:.1f} ms (alternated) "
        f"(+{(warm - today) * 1e3:.1f} ms); the signature check alone {ours * 1e3:.1f} ms"
    )
    print(
        f"fresh process (python -c 'load(...)'): today {cold_today * 1e3:.0f} ms, "
        f"with trusted_keys {cold_signed * 1e3:.0f} ms (+{(cold_signed - cold_today) * 1e3:.0f} ms, "
        "mostly importing model-signing/sigstore once)"
    )
    print(
        f"bundle_signature: ratio={peer / ours:.2f} (ours {ours:.4f} s vs peer {peer:.4f} s: "
        "model_signing verify on the directory)"
    )


if __name__ == "__main__":
    main()
