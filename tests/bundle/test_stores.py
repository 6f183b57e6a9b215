"""Stores are plug-ins keyed by URL scheme: one registered here is used by the registry and load."""

import numpy as np
import pytest

from skyclass.bundle import Registry, load
from skyclass.bundle.stores import STORES, FsspecStore, LocalStore, Store, open_store
from skyclass.errors import ConfigError, InputError
from tests.bundle.factory import make_table


@STORES.register("testdict")
class DictStore(Store):
    """A store kept in a Python dict: the smallest complete implementation of the contract."""

    objects: dict[str, bytes] = {}

    def read(self, rel):
        return self.objects.get(self.path(rel))

    def write(self, rel, data):
        self.objects[self.path(rel)] = bytes(data)

    def create_exclusive(self, rel, data):
        if self.path(rel) in self.objects:
            return False
        self.write(rel, data)
        return True

    def exists(self, rel):
        return self.path(rel) in self.objects

    def listdir(self, rel):
        base = self.path(rel) + "/"
        return sorted({k[len(base) :].split("/")[0] for k in self.objects if k.startswith(base)})

    def copy(self, src, dst):
        self.write(dst, self.objects[self.path(src)])

    def delete(self, rel, recursive=False):
        target = self.path(rel)
        for key in [
            k for k in self.objects if k == target or (recursive and k.startswith(target + "/"))
        ]:
            del self.objects[key]


def test_a_store_registered_in_one_place_serves_the_registry_and_load(demo_bundle):
    assert "testdict" in STORES.names()
    reg = Registry("testdict://models/reg")
    assert isinstance(reg.store, DictStore) and reg.store.exclusive_create
    assert reg.push(demo_bundle, alias="champion") == 1
    assert any(k.startswith("models/reg/demo/versions/1/") for k in DictStore.objects)
    table = make_table(20, seed=3)
    bundle = load("testdict://models/reg/demo@champion")
    assert bundle.version == 1
    np.testing.assert_array_equal(
        bundle.predict_proba(table), load(demo_bundle).predict_proba(table)
    )


def test_builtin_schemes_come_from_the_registry():
    assert {"file", "local", "gs", "gcs", "s3", "az", "abfs", "memory"} <= set(STORES.names())
    assert type(open_store("memory://x")) is FsspecStore
    assert type(open_store("relative/path")) is LocalStore
    assert STORES.get("gs").__name__ == "GCSStore"


def test_unknown_scheme_lists_the_registered_ones():
    with pytest.raises(InputError, match=r"unknown scheme 'nope'; use one of s3, az, .*testdict"):
        open_store("nope://bucket/x")
    with pytest.raises(ConfigError, match="registry URL: unknown store scheme 'nope'"):
        STORES.get("nope")


def test_a_store_must_implement_the_whole_contract():
    class Half(Store):
        def read(self, rel):
            return None

    with pytest.raises(TypeError, match="abstract"):
        Half("half://x")
