"""The V2 tensor datatypes and the numpy dtype each decodes to.

Both the JSON tensor decoder (``_tensors``) and the binary extension (``_binary``)
read this one table.

Example:
    >>> DTYPES["FP32"].itemsize
    4
"""

from __future__ import annotations

import numpy as np

#: V2 datatype → numpy dtype (BYTES travel as Python ``str`` in an object array).
DTYPES: dict[str, np.dtype] = {
    "BOOL": np.dtype(bool),
    "UINT8": np.dtype(np.uint8),
    "UINT16": np.dtype(np.uint16),
    "UINT32": np.dtype(np.uint32),
    "UINT64": np.dtype(np.uint64),
    "INT8": np.dtype(np.int8),
    "INT16": np.dtype(np.int16),
    "INT32": np.dtype(np.int32),
    "INT64": np.dtype(np.int64),
    "FP16": np.dtype(np.float16),
    "FP32": np.dtype(np.float32),
    "FP64": np.dtype(np.float64),
    "BYTES": np.dtype(object),
}
