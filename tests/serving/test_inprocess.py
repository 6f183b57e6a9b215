"""``create_app`` in-process (httpx ASGI transport): a ``Bundle`` object as source, timeouts,
the garbage-collector settings applied once the bundle is ready."""

from __future__ import annotations

import asyncio
import gc

import httpx
import numpy as np

from skyclass.serving import ServeSettings, create_app, v2_request


def _call(app, method: str, path: str, **kwargs) -> httpx.Response:
    async def go():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def _rows(fitted, n: int) -> list[dict]:
    frame = fitted.frame.head(n).copy()
    frame["measured"] = frame["measured"].map(lambda t: t.isoformat())
    return [
        {k: (None if v != v else v) for k, v in row.items()} for row in frame.to_dict("records")
    ]


def test_a_bundle_object_is_verified_then_served(fitted):
    from skyclass.bundle import load

    bundle = load(fitted.path)
    app = create_app(bundle, ServeSettings(log="none", access_log=False, tune_gc=False))
    assert _call(app, "GET", "/v2/health/ready").status_code == 503  # not loaded yet
    app.host.load()
    assert app.host.ready and app.host.version == "0"
    rows = _rows(fitted, 5)
    reply = _call(app, "POST", "/v2/models/iris/infer", json=v2_request(bundle.schema, rows))
    assert reply.status_code == 200
    data = np.asarray(reply.json()["outputs"][0]["data"]).reshape(5, 3)
    np.testing.assert_allclose(data, fitted.proba(rows), atol=1e-5)


def test_inference_past_the_timeout_is_504(fitted):
    from skyclass.bundle import load

    bundle = load(fitted.path)
    settings = ServeSettings(log="none", access_log=False, request_timeout_s=1e-6, tune_gc=False)
    app = create_app(bundle, settings)
    app.host.load()
    body = v2_request(bundle.schema, _rows(fitted, 150) * 4)  # 600 rows: runs on a thread
    reply = _call(app, "POST", "/v2/models/iris/infer", json=body)
    assert reply.status_code == 504 and "--request-timeout" in reply.json()["error"]
    assert _call(app, "GET", "/v2/health/live").status_code == 200


def test_a_ready_model_freezes_the_collector_unless_told_not_to(fitted):
    from skyclass.bundle import load
    from skyclass.serving._collector import YOUNG_THRESHOLD

    before = gc.get_threshold()
    gc.unfreeze()
    try:
        untouched = create_app(load(fitted.path), ServeSettings(log="none", tune_gc=False))
        untouched.host.load()
        assert untouched.host.ready
        assert gc.get_freeze_count() == 0 and gc.get_threshold() == before
        app = create_app(load(fitted.path), ServeSettings(log="none"))
        assert gc.get_freeze_count() == 0  # only once the model is ready
        app.host.load()
        assert app.host.ready
        # everything alive (modules, the model, the route table) is out of the collector's reach
        assert gc.get_freeze_count() > 50_000
        assert gc.get_threshold() == (YOUNG_THRESHOLD, *before[1:])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_a_bug_on_the_infer_route_is_a_500_and_the_server_goes_on(fitted, caplog):
    from skyclass.bundle import load

    bundle = load(fitted.path)
    app = create_app(bundle, ServeSettings(log="none", access_log=False, tune_gc=False))
    app.host.load()

    def broken(columns):
        raise RuntimeError("a bug")

    bundle.predict_proba_arrays = broken
    body = v2_request(bundle.schema, _rows(fitted, 1))
    reply = _call(app, "POST", "/v2/models/iris/versions/0/infer", json=body)
    assert reply.status_code == 500
    assert reply.json() == {"error": "internal error (RuntimeError); see the server log"}
    assert "unexpected error on POST /v2/models/iris/versions/0/infer" in caplog.text
    metrics = _call(app, "GET", "/metrics").text
    assert 'route="/v2/models/{name}/versions/{version}/infer"' in metrics  # labelled by template
    assert _call(app, "GET", "/v2/health/live").status_code == 200


def test_requests_without_id_get_distinct_time_ordered_ids(fitted):
    from skyclass.bundle import load

    bundle = load(fitted.path)
    app = create_app(bundle, ServeSettings(log="none", access_log=False, tune_gc=False))
    app.host.load()
    body = v2_request(bundle.schema, _rows(fitted, 1))
    ids = [_call(app, "POST", "/v2/models/iris/infer", json=body).json()["id"] for _ in range(3)]
    assert len(set(ids)) == 3 and all(len(i) == 32 and int(i, 16) >= 0 for i in ids)
    assert sorted(i[:12] for i in ids) == [i[:12] for i in ids]  # milliseconds first
