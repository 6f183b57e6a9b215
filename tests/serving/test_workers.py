"""Several worker processes: each loads and verifies the bundle; one shared SQLite log."""

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
