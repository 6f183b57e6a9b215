"""An MLServer runtime serving the bundle's ``model.onnx`` with onnxruntime (MLServer's ONNX path).

MLServer ships no ONNX runtime of its own; its documented way to serve any other format is a
custom ``MLModel`` like this one, decoding the V2 inputs with MLServer's own codecs. Loaded by
``mlserver start`` inside ``.tools/mlserver-venv`` (``bench_serving.py`` writes the settings).

Example ``model-settings.json``:
    ``{"name": "iris", "implementation": "mlserver_onnx.OnnxModel",
    "parameters": {"uri": "/abs/bundle/model.onnx"}}``
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
from mlserver import MLModel
from mlserver.codecs import NumpyCodec, StringCodec
from mlserver.types import InferenceRequest, InferenceResponse


class OnnxModel(MLModel):
    """V2 tensors in (one per column), ``probabilities`` out."""

    async def load(self) -> bool:
        self.session = ort.InferenceSession(
            self.settings.parameters.uri, providers=["CPUExecutionProvider"]
        )
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        feeds = {}
        for tensor in payload.inputs:
            if tensor.datatype == "BYTES":
                values = np.asarray(StringCodec.decode_input(tensor), dtype=object)
            else:
                values = NumpyCodec.decode_input(tensor).astype(np.float64)
            feeds[tensor.name] = values.reshape(-1, 1)
        probabilities = self.session.run(["probabilities"], feeds)[0]
        return InferenceResponse(
            model_name=self.name,
            outputs=[NumpyCodec.encode_output("probabilities", probabilities)],
        )
