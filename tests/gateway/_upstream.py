"""A tiny real V2-shaped HTTP server used as a gateway upstream in tests.

Run: python tests/gateway/_upstream.py PORT REGION LABEL [STATUS [DELAY_MS]]
Answers GET /v2/health/ready, POST /v2/models/<m>/infer (label output + model
version header, with STATUS, default 200, after DELAY_MS) and GET /count (infer calls).
"""

import asyncio
import json
import sys

import uvicorn

PORT, REGION, LABEL = int(sys.argv[1]), sys.argv[2], sys.argv[3]
STATUS = int(sys.argv[4]) if len(sys.argv) > 4 else 200
DELAY_S = float(sys.argv[5]) / 1000 if len(sys.argv) > 5 else 0.0
counts = {"infer": 0}


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    more = True
    while more:
        more = (await receive()).get("more_body", False)
    path = scope["path"]
    status, body = 404, {"error": f"no route {path}"}
    if path == "/v2/health/ready":
        status, body = 200, {"ready": True}
    elif path == "/count":
        status, body = 200, counts
    elif path.endswith("/infer"):
        counts["infer"] += 1
        await asyncio.sleep(DELAY_S)
        status = STATUS
        body = {
            "model_name": "m",
            "outputs": [{"name": "label", "datatype": "BYTES", "shape": [1], "data": [LABEL]}],
        }
    raw = json.dumps(body).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(raw)).encode()),
        (b"x-skyclass-model-version", f"m:{REGION}".encode()),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})


uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning", access_log=False)
