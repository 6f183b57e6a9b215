"""``Evaluation``: the result of :func:`~skyclass.metrics.evaluate`, JSON-safe and printable.

Example:
    >>> from skyclass.metrics import evaluate
    >>> ev = evaluate([0, 1, 1, 0], [0.2, 0.9, 0.4, 0.6])
    >>> d = ev.to_dict()
    >>> d["accuracy"], d["per_class"]["recall"]
    (0.5, [0.5, 0.5])
    >>> "accuracy" in ev.summary()
    True
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from skyclass._jsonsafe import json_scalar
from skyclass.metrics._baseline import prior_scores
from skyclass.metrics._classification import _kappa, _mcc
from skyclass.metrics._curve import Curve
from skyclass.metrics._engine import ClassPass, ovo_auc

_SCALARS = (
    "accuracy",
    "balanced_accuracy",
    "matthews_corrcoef",
    "cohen_kappa",
    "log_loss",
    "brier_score",
    "expected_calibration_error",
    "roc_auc",
    "roc_auc_ovr_macro",
    "roc_auc_ovr_weighted",
    "roc_auc_ovo_macro",
    "roc_auc_ovo_weighted",
    "average_precision_macro",
)
_PER_CLASS = (
    "precision",
    "recall",
    "f1",
    "specificity",
    "support",
    "roc_auc_per_class",
    "average_precision",
)


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Every metric of one evaluation. Per-class arrays follow the order of ``labels``.

    Definitions follow scikit-learn: per-class values are one-vs-rest with predicted
    label = argmax; undefined ratios (e.g. precision of a never-predicted class) are 0.0;
    ``averages[avg][metric]`` equals ``<metric>_score(..., labels=labels, average=avg)``.
    ``roc_auc`` is the binary AUC of ``labels[1]`` for two classes, else one-vs-rest macro.
    One-vs-one AUCs are None for two classes and when sample weights are given
    (scikit-learn defines them only without weights). ``baseline`` holds what the
    class-prior baseline (these rows' class shares, the majority class as label)
    scores on accuracy, balanced accuracy, macro F1, ROC AUC and log loss;
    :func:`~skyclass.metrics.compare_to_baseline` adds a significance test.

    Attributes
    ----------
    labels : list
        The classes, in column order of ``y_proba`` (JSON-safe Python scalars).
    n_samples : int
        Rows evaluated.
    weighted : bool
        Whether ``sample_weight`` was given (counts below are then weighted sums).
    confusion_matrix : numpy.ndarray of shape (n_classes, n_classes)
        Rows: true class, columns: predicted class (argmax); int64 unless weights are
        fractional.
    support : numpy.ndarray of shape (n_classes,)
        (Weighted) number of true rows per class.
    precision, recall, f1, specificity : numpy.ndarray of shape (n_classes,)
        One-vs-rest per class; 0.0 where undefined.
    averages : dict
        ``averages[avg][metric]`` for ``avg`` in ``"micro"``, ``"macro"``,
        ``"weighted"`` (and ``"binary"``: ``labels[1]``, for two classes) and ``metric`` in
        precision, recall, f1, specificity.
    accuracy : float
        Share of rows whose argmax is the true class.
    balanced_accuracy : float
        Mean recall over the classes present in ``y_true``.
    matthews_corrcoef : float
        Multiclass Matthews correlation in [-1, 1].
    cohen_kappa : float
        Cohen's kappa of true against predicted labels; NaN when undefined.
    log_loss : float
        Mean cross-entropy (natural log), probabilities clipped to [eps, 1 - eps].
    brier_score : float
        Mean squared error of the probabilities (scikit-learn's scaling: halved for
        two classes).
    top_k_accuracy : dict
        ``{k: share}`` for k = 2 .. min(n_classes - 1, 5); empty below three classes.
    expected_calibration_error : float
        Row-weighted mean gap between confidence and accuracy over equal-width bins.
    roc_auc : float
        The headline AUC: binary AUC of ``labels[1]``, or one-vs-rest macro.
    roc_auc_per_class : numpy.ndarray of shape (n_classes,)
        One-vs-rest AUC of each class (NaN for a class absent from ``y_true``).
    roc_auc_ovr_macro, roc_auc_ovr_weighted : float or None
        One-vs-rest AUC averaged plainly or by support; None for two classes.
    roc_auc_ovo_macro, roc_auc_ovo_weighted : float or None
        One-vs-one (Hand & Till) AUC; None for two classes or with sample weights.
    average_precision : numpy.ndarray of shape (n_classes,)
        Average precision of each class, one-vs-rest.
    average_precision_macro : float
        Their unweighted mean.
    roc_curves, pr_curves : list of Curve
        One ROC and one precision-recall :class:`Curve` per class (thinned when
        ``evaluate(max_curve_points=...)`` says so).
    baseline : dict
        Scores of the class-prior baseline on these rows, by metric name.
    """

    labels: list
    n_samples: int
    weighted: bool
    confusion_matrix: np.ndarray
    support: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    specificity: np.ndarray
    averages: dict
    accuracy: float
    balanced_accuracy: float
    matthews_corrcoef: float
    cohen_kappa: float
    log_loss: float
    brier_score: float
    top_k_accuracy: dict
    expected_calibration_error: float
    roc_auc: float
    roc_auc_per_class: np.ndarray
    roc_auc_ovr_macro: float | None
    roc_auc_ovr_weighted: float | None
    roc_auc_ovo_macro: float | None
    roc_auc_ovo_weighted: float | None
    average_precision: np.ndarray
    average_precision_macro: float
    roc_curves: list = field(repr=False)
    pr_curves: list = field(repr=False)
    baseline: dict = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        labels: np.ndarray,
        confusion: np.ndarray,
        n_samples: int,
        weighted: bool,
        log_loss: float,
        brier_score: float,
        top_k_accuracy: dict,
        expected_calibration_error: float,
        class_weight: np.ndarray,
        passes: Sequence[ClassPass],
    ) -> Evaluation:
        """Assemble an Evaluation from the engine's counts (used by ``evaluate``).

        Parameters
        ----------
        labels : numpy.ndarray of shape (n_classes,)
            The classes, in column order.
        confusion : numpy.ndarray of shape (n_classes, n_classes)
            (Weighted) counts, true class by predicted class.
        n_samples : int
            Rows evaluated.
        weighted : bool
            Whether sample weights were given.
        log_loss, brier_score, expected_calibration_error : float
            Computed by the caller in its single pass over the rows.
        top_k_accuracy : dict
            ``{k: share}`` of rows whose true class is among the k highest scores.
        class_weight : numpy.ndarray of shape (n_classes,)
            (Weighted) number of true rows per class.
        passes : sequence of ClassPass
            One sorted pass per class (its curves, AUC, average precision and
            pairwise counts), in column order.

        Returns
        -------
        Evaluation
            Every metric, per class and averaged.
        """
        k = len(labels)
        cmf = confusion.astype(np.float64)
        tp = np.diag(cmf)
        true = cmf.sum(axis=1)
        pred = cmf.sum(axis=0)
        total = cmf.sum()
        tn = total - true - pred + tp
        fp = pred - tp
        precision = _ratio(tp, pred)
        recall = _ratio(tp, true)
        f1 = _ratio(2 * tp, true + pred)
        specificity = _ratio(tn, tn + fp)
        averages = {
            "micro": {
                "precision": _safe(tp.sum(), pred.sum()),
                "recall": _safe(tp.sum(), true.sum()),
                "f1": _safe(2 * tp.sum(), true.sum() + pred.sum()),
                "specificity": _safe(tn.sum(), (tn + fp).sum()),
            },
            "macro": {},
            "weighted": {},
        }
        for name, values in (
            ("precision", precision),
            ("recall", recall),
            ("f1", f1),
            ("specificity", specificity),
        ):
            averages["macro"][name] = float(np.mean(values))
            averages["weighted"][name] = (
                float(np.average(values, weights=true))
                if true.sum() > 0
                else float(np.mean(values))
            )
        if k == 2:
            averages["binary"] = {
                "precision": float(precision[1]),
                "recall": float(recall[1]),
                "f1": float(f1[1]),
                "specificity": float(specificity[1]),
            }
        present = true > 0
        support = confusion.sum(axis=1)
        rocs, prs, aucs, aps = [], [], [], []
        for cp in passes:
            rocs.append(cp.roc)
            prs.append(cp.pr)
            aucs.append(cp.roc_auc)
            aps.append(cp.average_precision)
        aucs_arr = np.asarray(aucs, dtype=np.float64)
        if k == 2:
            headline, ovr_macro, ovr_weighted, ovo_macro, ovo_weighted = (
                float(aucs_arr[1]),
                None,
                None,
                None,
                None,
            )
        else:
            ovr_macro = float(np.mean(aucs_arr))
            ovr_weighted = _weighted_ovr(aucs_arr, class_weight)
            headline = ovr_macro
            if weighted:
                ovo_macro = ovo_weighted = None
            else:
                pairwise = np.stack([cp.pairwise for cp in passes])
                ovo_macro, ovo_weighted = ovo_auc(pairwise, class_weight)
        return cls(
            labels=[json_scalar(v) for v in labels],
            n_samples=int(n_samples),
            weighted=bool(weighted),
            confusion_matrix=confusion,
            support=support,
            precision=precision,
            recall=recall,
            f1=f1,
            specificity=specificity,
            averages=averages,
            accuracy=float(tp.sum() / total),
            balanced_accuracy=float(np.mean(recall[present])),
            matthews_corrcoef=_mcc(tp, true, pred),
            cohen_kappa=_kappa(cmf, None, math.nan),
            log_loss=log_loss,
            brier_score=brier_score,
            top_k_accuracy=top_k_accuracy,
            expected_calibration_error=expected_calibration_error,
            roc_auc=headline,
            roc_auc_per_class=aucs_arr,
            roc_auc_ovr_macro=ovr_macro,
            roc_auc_ovr_weighted=ovr_weighted,
            roc_auc_ovo_macro=ovo_macro,
            roc_auc_ovo_weighted=ovo_weighted,
            average_precision=np.asarray(aps, dtype=np.float64),
            average_precision_macro=float(np.mean(aps)),
            roc_curves=rocs,
            pr_curves=prs,
            baseline=prior_scores(class_weight),
        )

    def curves(self, max_points: int) -> tuple[list[Curve], list[Curve]]:
        """(ROC curves, PR curves) per class, thinned to at most ``max_points`` points each.

        Parameters
        ----------
        max_points : int
            The most points per curve (at least 2); AUCs are unaffected.

        Returns
        -------
        tuple of (list of Curve, list of Curve)
            The ROC curves and the precision-recall curves, one per class.
        """
        return (
            [c.thin(max_points) for c in self.roc_curves],
            [c.thin(max_points) for c in self.pr_curves],
        )

    def to_dict(self, *, curves: bool = True) -> dict:
        """Plain JSON-safe dict (NaN and infinity become None; labels stay in order).

        Parameters
        ----------
        curves : bool, default=True
            Include the ROC and precision-recall curves (``"curves"``); False keeps the
            dict small (scalars, per-class lists, confusion matrix, baseline).

        Returns
        -------
        dict
            ``labels``, ``n_samples``, ``weighted``, every scalar metric,
            ``top_k_accuracy``, ``averages``, ``per_class``, ``confusion_matrix``,
            ``baseline`` and, with ``curves``, ``curves``.

        Example:
            >>> import json
            >>> from skyclass.metrics import evaluate
            >>> json.dumps(evaluate(["x", "y"], [0.3, 0.8]).to_dict())[:30]
            '{"labels": ["x", "y"], "n_samp'
        """
        out: dict = {"labels": list(self.labels), "n_samples": self.n_samples}
        out["weighted"] = self.weighted
        for name in _SCALARS:
            out[name] = _num(getattr(self, name))
        out["top_k_accuracy"] = {str(k): _num(v) for k, v in self.top_k_accuracy.items()}
        out["averages"] = {
            avg: {m: _num(v) for m, v in values.items()} for avg, values in self.averages.items()
        }
        out["per_class"] = {
            name.removesuffix("_per_class"): [_num(v) for v in getattr(self, name)]
            for name in _PER_CLASS
        }
        out["confusion_matrix"] = [[_num(v) for v in row] for row in self.confusion_matrix]
        out["baseline"] = {"baseline": "class prior", **self.baseline}
        if curves:
            out["curves"] = {
                "roc": [c.to_dict() for c in self.roc_curves],
                "pr": [c.to_dict() for c in self.pr_curves],
            }
        return out

    def summary(self, digits: int = 3) -> str:
        """A readable text table: one row per class, then the overall metrics.

        Parameters
        ----------
        digits : int, default=3
            Decimal places of each fractional value.

        Returns
        -------
        str
            The plain-text table (no colour codes), ending in a newline.

        Example:
            >>> from skyclass.metrics import evaluate
            >>> print(evaluate([0, 1, 1], [0.3, 0.8, 0.6]).summary().splitlines()[1].split())
            ['class', 'precision', 'recall', 'f1', 'specificity', 'support', 'roc', 'auc', 'avg', 'prec']
        """
        from rich.console import Console
        from rich.table import Table

        def fmt(value) -> str:
            value = _num(value)
            if value is None:
                return "-"
            if isinstance(value, int):
                return str(value)
            return f"{value:.{digits}f}"

        table = Table(title=None, box=None, pad_edge=False)
        for head in ("class", "precision", "recall", "f1", "specificity", "support"):
            table.add_column(head, justify="left" if head == "class" else "right")
        table.add_column("roc auc", justify="right")
        table.add_column("avg prec", justify="right")
        for i, label in enumerate(self.labels):
            table.add_row(
                str(label),
                *(fmt(getattr(self, m)[i]) for m in ("precision", "recall", "f1", "specificity")),
                fmt(self.support[i]),
                fmt(self.roc_auc_per_class[i]),
                fmt(self.average_precision[i]),
            )
        overall = Table(box=None, show_header=False, pad_edge=False)
        overall.add_column("metric")
        overall.add_column("value", justify="right")
        for avg in ("macro", "weighted"):
            f1 = self.averages[avg]["f1"]
            overall.add_row(f"{avg} f1", fmt(f1))
        for name in _SCALARS:
            value = getattr(self, name)
            if value is not None:
                overall.add_row(name.replace("_", " "), fmt(value))
        for kk, value in self.top_k_accuracy.items():
            overall.add_row(f"top-{kk} accuracy", fmt(value))
        console = Console(file=io.StringIO(), width=120, color_system=None, record=True)
        console.print(f"Evaluation of {self.n_samples} samples, {len(self.labels)} classes")
        console.print(table)
        console.print()
        console.print(overall)
        if self.baseline:
            console.print()
            console.print(
                "class-prior baseline (majority class, these rows' shares): "
                + ", ".join(f"{k.replace('_', ' ')} {fmt(v)}" for k, v in self.baseline.items())
            )
        return console.export_text().rstrip() + "\n"


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return num / np.where(den == 0, 1.0, den) * (den != 0)


def _safe(num: float, den: float) -> float:
    return float(num / den) if den != 0 else 0.0


def _weighted_ovr(aucs: np.ndarray, class_weight: np.ndarray) -> float:
    if np.isclose(class_weight.sum(), 0):
        return 0.0
    scores = aucs.copy()
    scores[class_weight == 0] = 0
    return float(np.average(scores, weights=class_weight))


def _num(value):
    if value is None:
        return None
    value = json_scalar(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    value = float(value)
    return value if math.isfinite(value) else None
