"""``Preprocessor``: the one feature transformer every skyclass model is trained on.

It turns a table that matches a ``Schema`` into a float matrix, with steps that
export to ONNX exactly (``skyclass.pipeline.export_onnx``):

* numeric and boolean columns (boolean as 0/1): median imputation, then
  standardisation (mean 0, standard deviation 1; a constant column keeps
  scale 1);
* datetime columns: expanded to year, month, day of week (Monday = 0) and
  hour (UTC), each then treated as numeric;
* categorical columns: a missing value is its own category (``""``), then
  one-hot encoding; categories seen fewer than ``min_frequency`` times share
  one "rare" column; a category never seen in training encodes as all zeros;
* text columns are refused (drop them first with ``schema.drop([...])``): free
  text has no exact ONNX export here.

Feature order: the numeric block (schema order; datetime parts in place), then
each categorical column's one-hot block (schema order).

Example:
    >>> import pandas as pd
    >>> from skyclass.data import infer_schema
    >>> df = pd.DataFrame({"x": [1.0, None, 3.0], "c": ["a", "b", "a"]})
    >>> pre = Preprocessor(infer_schema(df), min_frequency=1).fit(df)
    >>> pre.get_feature_names_out().tolist()
    ['x', 'c=a', 'c=b']
    >>> pre.transform(df).round(3).tolist()
    [[-1.225, 1.0, 0.0], [0.0, 0.0, 1.0], [1.225, 1.0, 0.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from skyclass.data import Schema
from skyclass.errors import InputError

__all__ = ["DATETIME_PARTS", "Preprocessor", "datetime_parts"]

DATETIME_PARTS = ("year", "month", "dayofweek", "hour")
RARE = "__rare__"


class Preprocessor(TransformerMixin, BaseEstimator):
    """Impute, standardise and one-hot encode a table described by ``schema``.

    Parameters
    ----------
    schema : skyclass.data.Schema
        The input columns and their kinds (text columns are refused at ``fit``).
    min_frequency : int
        Categories seen fewer times than this in training share one "rare" column
        (default 5; at least 1).

    Attributes
    ----------
    numeric_ : list of dict
        Per numeric feature (datetime parts included): column, part, median, mean, scale.
    categorical_ : list of dict
        Per categorical column: column, categories (own columns), rare (sharing one).
    feature_names_out_ : numpy.ndarray
        The output column names, in matrix order.
    """

    def __init__(self, schema: Schema, min_frequency: int = 5) -> None:
        self.schema = schema
        self.min_frequency = min_frequency

    def fit(self, X: Any, y: Any = None) -> Preprocessor:
        """Learn medians, means, scales and categories from ``X``.

        Parameters
        ----------
        X : pandas.DataFrame or list of dict
            Rows matching ``schema`` (a DataFrame or records).
        y : Any
            Ignored (scikit-learn's transformer signature).

        Returns
        -------
        Preprocessor
            ``self``, fitted.

        Raises
        ------
        skyclass.errors.InputError
            When the schema has text columns or ``min_frequency`` is not an int >= 1.
        """
        text = [c.name for c in self.schema if c.kind == "text"]
        if text:
            raise InputError(
                f"text columns {text} cannot be preprocessed into an exact ONNX graph; "
                "drop them with schema.drop(...) or declare them categorical"
            )
        if not isinstance(self.min_frequency, int) or self.min_frequency < 1:
            raise InputError(f"min_frequency must be an int >= 1, got {self.min_frequency!r}")
        arrays = self.schema.to_arrays(X)
        self.numeric_ = []
        for name, part, values in self._numeric_columns(arrays):
            self.numeric_.append({"column": name, "part": part, **_numeric_stats(values)})
        self.categorical_ = []
        for col in self.schema:
            if col.kind != "categorical":
                continue
            values, counts = np.unique(arrays[col.name].astype(str), return_counts=True)
            kept = [str(v) for v, n in zip(values, counts) if n >= self.min_frequency]
            rare = [str(v) for v, n in zip(values, counts) if n < self.min_frequency]
            self.categorical_.append({"column": col.name, "categories": kept, "rare": rare})
        names = [
            n["column"] if n["part"] is None else f"{n['column']}.{n['part']}"
            for n in self.numeric_
        ]
        for cat in self.categorical_:
            names += [f"{cat['column']}={v}" for v in cat["categories"]]
            if cat["rare"]:
                names.append(f"{cat['column']}={RARE}")
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """The float64 feature matrix of ``X``.

        Parameters
        ----------
        X : pandas.DataFrame or list of dict
            Rows matching ``schema``.

        Returns
        -------
        numpy.ndarray
            ``[n_rows, n_features_out_]`` float64 features.
        """
        check_is_fitted(self, "feature_names_out_")
        return self.transform_arrays(self.schema.to_arrays(X))

    def transform_arrays(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """Like ``transform`` but from canonical arrays.

        Parameters
        ----------
        arrays : dict of str to numpy.ndarray
            One array per schema column, as ``Schema.to_arrays`` gives them (float64 with
            NaN for numbers and datetimes in epoch seconds, strings with ``""`` for missing).

        Returns
        -------
        numpy.ndarray
            ``[n_rows, n_features_out_]`` float64 features.
        """
        check_is_fitted(self, "feature_names_out_")
        n = len(next(iter(arrays.values()))) if arrays else 0
        blocks = []
        numeric = [values for _, _, values in self._numeric_columns(arrays)]
        if numeric:
            matrix = np.column_stack(numeric)
            medians = np.array([s["median"] for s in self.numeric_])
            means = np.array([s["mean"] for s in self.numeric_])
            scales = np.array([s["scale"] for s in self.numeric_])
            matrix = np.where(np.isnan(matrix), medians, matrix)
            blocks.append((matrix - means) / scales)
        for cat in self.categorical_:
            blocks.append(_one_hot(arrays[cat["column"]], cat["categories"], cat["rare"]))
        if not blocks:
            return np.zeros((n, 0))
        return np.hstack(blocks)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Feature names: ``col``, ``col.part`` (datetime) and ``col=value`` (one-hot).

        Parameters
        ----------
        input_features : Any
            Ignored (scikit-learn's signature): the names come from the schema.

        Returns
        -------
        numpy.ndarray
            The ``n_features_out_`` names, in matrix order.
        """
        check_is_fitted(self, "feature_names_out_")
        return self.feature_names_out_

    def _numeric_columns(
        self, arrays: dict[str, np.ndarray]
    ) -> list[tuple[str, str | None, np.ndarray]]:
        out: list[tuple[str, str | None, np.ndarray]] = []
        for col in self.schema:
            if col.kind in ("numeric", "boolean"):
                out.append((col.name, None, np.asarray(arrays[col.name], dtype=np.float64)))
            elif col.kind == "datetime":
                parts = datetime_parts(np.asarray(arrays[col.name], dtype=np.float64))
                out += [(col.name, p, parts[p]) for p in DATETIME_PARTS]
        return out


def _numeric_stats(values: np.ndarray) -> dict[str, float]:
    present = values[~np.isnan(values)]
    median = float(np.median(present)) if len(present) else 0.0
    imputed = np.where(np.isnan(values), median, values)
    mean = float(imputed.mean()) if len(imputed) else 0.0
    scale = float(imputed.std()) if len(imputed) else 1.0
    return {"median": median, "mean": mean, "scale": scale if scale > 0 else 1.0}


def _one_hot(values: np.ndarray, categories: list[str], rare: list[str]) -> np.ndarray:
    known = list(categories) + list(rare)
    codes = pd.Index(known, dtype=object).get_indexer(values.astype(object)).astype(np.int64)
    codes[codes >= len(categories)] = len(categories)  # every rare category → the shared column
    width = len(categories) + (1 if rare else 0)
    return (codes[:, None] == np.arange(width)[None, :]).astype(np.float64)


def datetime_parts(seconds: np.ndarray) -> dict[str, np.ndarray]:
    """Year, month, day of week (Monday = 0) and hour of UTC epoch ``seconds`` (NaN stays NaN).

    Float arithmetic with floor only (H. Hinnant's civil-from-days), so the ONNX
    graph computes bit-identical values.

    Parameters
    ----------
    seconds : numpy.ndarray
        Seconds since 1970-01-01 UTC (float; NaN for missing).

    Returns
    -------
    dict of str to numpy.ndarray
        ``year``, ``month`` (1-12), ``dayofweek`` (Monday = 0) and ``hour`` (0-23), as floats.

    Example:
        >>> {k: v.tolist() for k, v in datetime_parts(np.array([0.0])).items()}
        {'year': [1970.0], 'month': [1.0], 'dayofweek': [3.0], 'hour': [0.0]}
    """
    t = np.asarray(seconds, dtype=np.float64)
    days = np.floor(t / 86400.0)
    hour = np.floor((t - days * 86400.0) / 3600.0)
    shifted = days + 3.0
    dayofweek = shifted - np.floor(shifted / 7.0) * 7.0
    z = days + 719468.0
    era = np.floor(z / 146097.0)
    doe = z - era * 146097.0
    yoe = np.floor(
        (doe - np.floor(doe / 1460.0) + np.floor(doe / 36524.0) - np.floor(doe / 146096.0)) / 365.0
    )
    doy = doe - (365.0 * yoe + np.floor(yoe / 4.0) - np.floor(yoe / 100.0))
    mp = np.floor((5.0 * doy + 2.0) / 153.0)
    month = mp + 3.0 - 12.0 * (mp > 9.5)
    year = yoe + era * 400.0 + (month < 2.5)
    return {"year": year, "month": month, "dayofweek": dayofweek, "hour": hour}
