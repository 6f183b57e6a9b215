"""Logistic regression for many classes, both ways: softmax (multinomial) and one-vs-rest.

A scikit-learn estimator with scikit-learn's exact objective, faster solvers, an
optional PyTorch/GPU backend and ONNX export.

Example:
    >>> from sklearn.datasets import load_iris
    >>> from skyclass.linear import LogisticRegression
    >>> X, y = load_iris(return_X_y=True)
    >>> model = LogisticRegression(multi_class="ovr", max_iter=500).fit(X, y)
    >>> model.predict_proba(X[:2]).shape
    (2, 3)
"""

from skyclass.linear._estimator import LogisticRegression

__all__ = ["LogisticRegression"]
