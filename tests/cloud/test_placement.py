"""Placement: a registry URI is pinned to a version and replicated into each region's store."""

import pytest

from skyclass.bundle import Registry, load
from skyclass.cloud._placement import place, split_registry_uri
from skyclass.errors import SkyclassError
from tests.bundle.factory import make_bundle


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    root = tmp_path_factory.mktemp("reg")
    url = f"file://{root / 'registry'}"
    reg = Registry(url)
    reg.push(make_bundle(root / "b1", name="demo"))
    version = reg.push(make_bundle(root / "b2", seed=1, name="demo"))
    reg.set_alias("demo", "champion", version)
    return url, version, root


def test_alias_is_pinned_and_replicated_to_the_region_store(registry):
    url, version, root = registry
    store = f"file://{root / 'stores' / 'aws'}"
    uri, pinned = place(f"{url}/demo@champion", store)
    assert (uri, pinned) == (f"{store}/demo@{version}", str(version))
    assert Registry(store).resolve("demo", version) == version
    bundle = load(uri)
    assert (bundle.name, bundle.version) == ("demo", version)
    again = place(f"{url}/demo@champion", store)  # idempotent: already there
    assert again == (uri, pinned)


def test_without_store_the_source_registry_is_used(registry):
    url, version, _ = registry
    assert place(f"{url}/demo@champion", None) == (f"{url}/demo@{version}", str(version))
    assert place(f"{url}/demo@1", None) == (f"{url}/demo@1", "1")


def test_plain_bundle_cannot_be_replicated(tmp_path):
    path = make_bundle(tmp_path / "b", name="demo")
    assert place(str(path), None) == (str(path), "0")
    with pytest.raises(SkyclassError, match="not a registry URI"):
        place(str(path), "file:///tmp/store")
    assert split_registry_uri("s3://bucket/reg/demo@champion") == (
        "s3://bucket/reg",
        "demo",
        "champion",
    )
