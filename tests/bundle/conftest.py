"""Bundles built once per session for the registry and cloud tests."""

import pytest

from tests.bundle.factory import make_bundle
from tests.emulators import azure_store, gcs_store, s3_store  # noqa: F401 - emulator fixtures


@pytest.fixture(scope="session")
def demo_bundle(tmp_path_factory):
    """A logistic-regression bundle named ``demo``."""
    return make_bundle(tmp_path_factory.mktemp("demo") / "demo", model="logreg")


@pytest.fixture(scope="session")
def other_bundle(tmp_path_factory):
    """A different model (random forest) also named ``demo``."""
    return make_bundle(tmp_path_factory.mktemp("other") / "demo", model="rf", seed=1)
