"""LitServe serving the bundle's ``model.onnx``: the V2 JSON body in, probabilities out.

Run inside ``.tools/litserve-venv`` (``bench_serving.py`` does):
``python litserve_onnx.py /abs/bundle/model.onnx PORT`` serves ``POST /predict``.
"""

from __future__ import annotations

import sys

import litserve as ls
import numpy as np
import onnxruntime as ort


class OnnxAPI(ls.LitAPI):
    """One onnxruntime session; each request's tensors become the graph's ``[n, 1]`` feeds."""

    def __init__(self, onnx: str) -> None:
        super().__init__()
        self.onnx = onnx

    def setup(self, device):
        self.session = ort.InferenceSession(self.onnx, providers=["CPUExecutionProvider"])

    def decode_request(self, request):
        return {
            tensor["name"]: np.asarray(
                tensor["data"], dtype=object if tensor["datatype"] == "BYTES" else np.float64
            ).reshape(-1, 1)
            for tensor in request["inputs"]
        }

    def predict(self, feeds):
        return self.session.run(["probabilities"], feeds)[0]

    def encode_response(self, probabilities):
        return {
            "outputs": [
                {
                    "name": "probabilities",
                    "datatype": "FP32",
                    "shape": list(probabilities.shape),
                    "data": probabilities.ravel().tolist(),
                }
            ]
        }


if __name__ == "__main__":
    server = ls.LitServer(OnnxAPI(sys.argv[1]), accelerator="cpu", workers_per_device=1)
    server.run(
        host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", generate_client_file=False
    )
