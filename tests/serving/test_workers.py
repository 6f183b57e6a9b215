"""Several worker processes: they serve the copy of the bundle the parent verified; one shared
SQLite log."""

from __future__ import annotations

import sqlite3
import time

from skyclass.serving import v2_request

ROW = {
    "sepal_length": 6.1,
    "sepal_width": 2.8,
    "petal_length": 4.7,
    "petal_width": 1.2,
    "site": "east",
    "checked": False,
    "measured": "2024-06-01T00:00:00",
}


def test_two_workers_serve_and_share_the_log(start_server, fitted, tmp_path):
    from skyclass.bundle import load

    db = tmp_path / "log.db"
    server = start_server(fitted.path, "--workers", "2", "--log", str(db))
    body = v2_request(load(fitted.path).schema, [ROW])
    server.wait_ready()
    ids = [f"w{i}" for i in range(12)]
    deadline = time.monotonic() + 90
    for request_id in ids:
        while True:  # a fresh connection each time, so both workers get requests
            reply = server.client.post(
                "/v2/models/iris/infer",
                json={**body, "id": request_id},
                headers={"X-Skyclass-Durable": "1", "Connection": "close"},
            )
            if reply.status_code != 503 or time.monotonic() > deadline:
                break  # 503 only while the other worker still verifies the bundle
            time.sleep(0.1)
        assert reply.status_code == 200, reply.text
        assert reply.headers["x-skyclass-logged"] == "committed"
    with sqlite3.connect(db) as conn:
        logged = {row[0] for row in conn.execute("SELECT id FROM predictions")}
    assert set(ids) <= logged


def test_workers_serve_the_copy_the_parent_verified(fitted, monkeypatch):
    import json
    import zipfile
    from pathlib import Path

    import pytest

    from skyclass.bundle import load
    from skyclass.errors import IntegrityError
    from skyclass.serving import ServeSettings
    from skyclass.serving._server import _ENV, _verified_copy, app_from_env

    with _verified_copy(str(fitted.path), ServeSettings(log="none", workers=2)) as config:
        verified = config["verified"]
        copy = Path(verified["path"])
        assert copy.stat().st_mode & 0o077 == 0 or copy.parent.stat().st_mode & 0o077 == 0
        assert verified["manifest_sha256"] == load(fitted.path).manifest_sha256
        monkeypatch.setenv(_ENV, json.dumps(config))
        app = app_from_env()
        app.host.load()  # the worker re-checks the copy's hashes and golden rows
        assert app.host.ready and app.host.bundle.manifest_sha256 == verified["manifest_sha256"]
        files = dict(load(fitted.path).files)
        files["manifest.json"] = files["manifest.json"].replace(b"{", b'{"x": 1, ', 1)
        with zipfile.ZipFile(copy, "w") as tampered:
            for name, data in files.items():
                tampered.writestr(name, data)
        with pytest.raises(IntegrityError, match="not the one the server verified"):
            app_from_env()
    assert not copy.parent.exists()  # removed when the server stops


def test_a_bundle_that_fails_in_the_parent_leaves_each_worker_to_say_why(tmp_path):
    from skyclass.serving import ServeSettings
    from skyclass.serving._server import _verified_copy

    (tmp_path / "broken").mkdir()
    with _verified_copy(str(tmp_path / "broken"), ServeSettings(log="none")) as config:
        assert "verified" not in config and config["bundle"] == str(tmp_path / "broken")
