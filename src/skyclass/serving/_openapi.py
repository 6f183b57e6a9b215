"""OpenAPI descriptions of the V2 bodies (documentation only: handlers parse with orjson).

Example:
    >>> INFER_REQUEST["required"]
    ['inputs']
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from skyclass.serving._tensors import DTYPES

_TENSOR = {
    "type": "object",
    "required": ["name", "datatype", "shape", "data"],
    "properties": {
        "name": {"type": "string", "description": "feature column name"},
        "datatype": {"type": "string", "enum": list(DTYPES)},
        "shape": {"type": "array", "items": {"type": "integer", "minimum": 0}},
        "data": {"type": "array", "description": "flat (row-major) or nested values"},
        "parameters": {"type": "object"},
    },
}

INFER_REQUEST = {
    "type": "object",
    "required": ["inputs"],
    "properties": {
        "id": {"type": "string"},
        "parameters": {"type": "object"},
        "inputs": {"type": "array", "items": _TENSOR},
        "outputs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}},
            },
        },
    },
}

PREDICT_REQUEST = {
    "type": "object",
    "required": ["instances"],
    "properties": {
        "id": {"type": "string"},
        "instances": {"type": "array", "items": {"type": "object"}},
    },
}

FEEDBACK_REQUEST = {
    "oneOf": [
        {
            "type": "object",
            "required": ["id", "label"],
            "properties": {"id": {"type": "string"}, "label": {}},
        },
        {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "label"],
                "properties": {"id": {"type": "string"}, "label": {}},
            },
        },
    ]
}


def json_body(schema: dict) -> dict:
    """``openapi_extra`` declaring a required JSON request body."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


class ErrorBody(BaseModel):
    error: str = Field(description="what was wrong, where (input, row, field) and how to fix it")


class OutputTensor(BaseModel):
    name: str
    datatype: str
    shape: list[int]
    data: list
    parameters: dict | None = None


class InferResponse(BaseModel):
    model_name: str
    model_version: str
    id: str
    outputs: list[OutputTensor]


class TensorMeta(BaseModel):
    name: str
    datatype: str
    shape: list[int]
    parameters: dict | None = None


class ModelMetadata(BaseModel):
    name: str
    versions: list[str]
    platform: str
    inputs: list[TensorMeta]
    outputs: list[TensorMeta]
    parameters: dict


class ServerMetadata(BaseModel):
    name: str
    version: str
    extensions: list[str]


class Live(BaseModel):
    live: bool


class Ready(BaseModel):
    ready: bool
    state: str = Field(description="loading, ready or failed")
    error: str | None = None


class Prediction(BaseModel):
    id: str
    label: object
    probabilities: list[float]


class PredictResponse(BaseModel):
    model_name: str
    model_version: str
    id: str
    labels: list
    predictions: list[Prediction]


class FeedbackResponse(BaseModel):
    recorded: int


ERRORS = {code: {"model": ErrorBody} for code in (400, 401, 404, 409, 413, 503, 504)}
