"""Run by ``test_v2_clients`` with the KServe SDK's own venv (``.tools/kserve-venv``).

usage: python kserve_roundtrip.py BASE_URL ROWS_JSON

Sends ROWS (a JSON list of records) to the ``iris`` model twice through
``kserve.InferenceRESTClient`` (protocol v2): once as JSON tensors, once with the binary
data extension, and prints ``{"ready": ..., "json": [[p, ...], ...], "binary": [...],
"labels": [...]}`` on stdout. Imports nothing of skyclass: it is a client as users have it.
"""

from __future__ import annotations

import asyncio
import json
import sys

import numpy as np
from kserve import InferenceRESTClient, InferInput, InferRequest, RESTConfig
from kserve.protocol.infer_type import RequestedOutput

KINDS = {
    "sepal_length": "FP64",
    "sepal_width": "FP64",
    "petal_length": "FP64",
    "petal_width": "FP64",
    "site": "BYTES",
    "checked": "BOOL",
    "measured": "BYTES",
}


def _inputs(rows: list[dict], binary: bool) -> list[InferInput]:
    inputs = []
    for name, datatype in KINDS.items():
        values = [row[name] for row in rows]
        if datatype == "FP64":
            array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        elif datatype == "BOOL":
            array = np.array(values, dtype=bool)
        else:
            array = np.array(values, dtype=object)
        tensor = InferInput(name, list(array.shape), datatype)
        tensor.set_data_from_numpy(array, binary_data=binary)
        inputs.append(tensor)
    return inputs


async def main(base_url: str, rows: list[dict]) -> dict:
    client = InferenceRESTClient(RESTConfig(protocol="v2", retries=1, timeout=30))
    try:
        ready = await client.is_model_ready(base_url, "iris")
        out = {"ready": ready}
        for mode, binary in (("json", False), ("binary", True)):
            request = InferRequest(
                "iris",
                _inputs(rows, binary),
                request_id=f"kserve-{mode}",
                request_outputs=[
                    RequestedOutput("probabilities", parameters={"binary_data": binary}),
                    RequestedOutput("label", parameters={"binary_data": False}),
                ],
            )
            response = await client.infer(base_url, request, model_name="iris")
            by_name = {output.name: output for output in response.outputs}
            out[mode] = by_name["probabilities"].as_numpy().reshape(len(rows), -1).tolist()
            out["labels"] = [str(v) for v in by_name["label"].as_numpy().tolist()]
            out[f"{mode}_id"] = response.id
        return out
    finally:
        await client.close()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], json.loads(sys.argv[2])))))
