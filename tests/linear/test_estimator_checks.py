"""scikit-learn's own estimator test suite, run on both schemes (no expected failures)."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skyclass.linear import LogisticRegression


@parametrize_with_checks([LogisticRegression(), LogisticRegression(multi_class="ovr")])
def test_sklearn_estimator_contract(estimator, check):
    check(estimator)
