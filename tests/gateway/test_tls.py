"""Mutual TLS between gateway and replicas: the replica's edge proxy only accepts the
deployment's clients, and both engines only accept a replica certified for its region."""

import ssl
import subprocess
import sys
import time

import httpx
import orjson
import pytest

from skyclass.cloud._certs import Certificates
from skyclass.gateway import Endpoint, RoutingTable
from tests.gateway.conftest import ENGINES
from tests.helpers import free_port, wait_http

INFER = "/v2/models/m/infer"
BODY = orjson.dumps({"inputs": []})


@pytest.fixture
def tls_replica(tmp_path, upstreams):
    """A real upstream behind the chaos proxy terminating mTLS with a cert for ``aws-1``."""
    (up,) = upstreams(("aws-1",))
    certs = Certificates(tmp_path, "tls")
    gateway_tls = certs.rotate_gateway()
    cert, key = certs.issue_replica("aws-1", "r1")
    control = tmp_path / "chaos.json"
    control.write_text('{"mode": "normal"}')
    port = free_port()
    argv = [str(port), str(up.port), str(control), str(cert), str(key), str(certs.ca_cert)]
    proc = subprocess.Popen([sys.executable, "-m", "skyclass.cloud._chaos_proxy", *argv])
    url = f"https://127.0.0.1:{port}"
    context = certs.client_context()
    deadline = time.monotonic() + 30
    try:
        while True:  # poll until the proxy answers over mTLS
            try:
                if httpx.get(url + "/v2/health/ready", verify=context).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the TLS proxy did not come up"
                time.sleep(0.05)
        yield url, certs, gateway_tls
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_the_replica_refuses_clients_without_the_deployments_certificate(tls_replica, tmp_path):
    url, certs, _ = tls_replica
    assert httpx.get(url + "/v2/health/ready", verify=certs.client_context()).status_code == 200
    anonymous = ssl.create_default_context(cafile=str(certs.ca_cert))
    anonymous.check_hostname = False
    with pytest.raises(httpx.HTTPError):  # no client certificate: the handshake fails
        httpx.get(url + "/v2/health/ready", verify=anonymous)
    stranger = Certificates(tmp_path / "other", "other")
    stranger.rotate_gateway()
    foreign = stranger.client_context()
    foreign.load_verify_locations(str(certs.ca_cert))
    with pytest.raises(httpx.HTTPError):  # a certificate from another CA: refused too
        httpx.get(url + "/v2/health/ready", verify=foreign)


@pytest.mark.parametrize("engine", ENGINES, indirect=True)
def test_the_gateway_routes_over_mtls_and_checks_the_region_name(tls_replica, gateway):
    url, _, tls = tls_replica
    right = RoutingTable(endpoints=[Endpoint(url=url, region="aws-1", cloud="aws")], tls=tls)
    gw = gateway(right, health={"interval_ms": 200, "timeout_ms": 500})
    wait_http(gw.url + "/gateway/health")
    reply = httpx.post(gw.url + INFER, content=BODY, timeout=10)
    assert reply.status_code == 200 and reply.headers["x-skyclass-region"] == "aws-1"
    # the same replica registered as another region: its certificate does not say so
    wrong = RoutingTable(endpoints=[Endpoint(url=url, region="gcp-1", cloud="gcp")], tls=tls)
    gw2 = gateway(wrong, health={"interval_ms": 200, "timeout_ms": 500})
    reply = httpx.post(gw2.url + INFER, content=BODY, timeout=10)
    assert reply.status_code == 503 and "no healthy region" in reply.json()["error"]
