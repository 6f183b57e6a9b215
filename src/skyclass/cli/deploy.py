"""``skyclass deploy | status | down | gateway | chaos``: multi-cloud deployment commands.

Thin wrappers over :mod:`skyclass.cloud`; state lives in ``--state`` (default
``$SKYCLASS_STATE`` or ``./.skyclass-state``).
"""

from __future__ import annotations

import json

import typer
from rich.console import Console

from skyclass.cli._app import app

_STATE = typer.Option(
    None, "--state", help="State folder (default $SKYCLASS_STATE or ./.skyclass-state)."
)


@app.command()
def deploy(
    spec: str = typer.Argument(..., help="Deployment spec YAML (see docs/deploy.md)."),
    state: str = typer.Option(
        None, "--state", help="State folder (default $SKYCLASS_STATE or ./.skyclass-state)."
    ),
    no_gateway: bool = typer.Option(False, "--no-gateway", help="Do not start the gateway."),
    apply: bool = typer.Option(
        False, "--apply", help="Apply kubernetes regions to their kube contexts."
    ),
) -> None:
    """Deploy (or update, region by region) the model of SPEC to every region + gateway.

    Example: skyclass deploy examples/deploy.yaml
    """
    from skyclass.cloud import deploy as run

    console = Console(stderr=True)
    def say(text: str) -> None:  # progress is plain text: brackets in a URI are not markup
        console.print(text, markup=False, highlight=False)

    handle = run(spec, state_dir=state, gateway=not no_gateway, apply=apply, say=say)
    typer.echo(
        f"{handle.name}: {len(handle.replicas())} replica(s) ready; gateway {handle.gateway_url}"
    )


@app.command()
def status(
    name: str = typer.Argument(None, help="Deployment name (default: the most recent)."),
    state: str = _STATE,
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """Per region: cloud, zone, replicas ready, model version, req/s, p50/p99, errors, $/hour, $ so far.

    Example: skyclass status --json
    """
    from skyclass.cloud import connect, status_table

    handle = connect(name, state)
    rows = handle.status()
    if as_json:
        typer.echo(
            json.dumps(
                {"deployment": handle.name, "gateway": handle.gateway_url, "regions": rows},
                indent=1,
            )
        )
        return
    table = status_table(handle.name, handle.gateway_url, rows)
    console = Console()
    if not console.is_terminal:  # piped: never truncate columns
        console = Console(width=200)
    console.print(table)


@app.command()
def down(
    name: str = typer.Argument(None, help="Deployment name (default: the most recent)."),
    state: str = _STATE,
) -> None:
    """Stop the gateway and every replica of a deployment and forget it.

    Example: skyclass down tickets
    """
    from skyclass.cloud import connect

    handle = connect(name, state)
    stopped = handle.down()
    typer.echo(f"{handle.name}: stopped {stopped} replica(s) and the gateway")


@app.command()
def gateway(
    spec: str = typer.Argument(..., help="Deployment spec YAML."),
    state: str = _STATE,
    listen: str = typer.Option(
        None, help="host:port instead of the spec's gateway.listen (a second instance)."
    ),
) -> None:
    """Run the spec's gateway in the foreground (several can run side by side).

    Example: skyclass gateway examples/deploy.yaml --listen 127.0.0.1:8001
    """
    from skyclass.cloud import run_gateway

    run_gateway(spec, state_dir=state, listen=listen)


@app.command()
def chaos(
    region: str = typer.Argument(..., help="Region to drill (provider: local)."),
    name: str = typer.Option(None, "--name", help="Deployment (default: the most recent)."),
    state: str = _STATE,
    kill: bool = typer.Option(False, "--kill", help="SIGKILL the region's processes."),
    hang: bool = typer.Option(False, "--hang", help="Accept connections, never answer."),
    slow: float = typer.Option(None, "--slow", min=0.0, help="Add MS milliseconds to every request."),
    errors: float = typer.Option(
        None, "--errors", min=0.0, max=1.0, help="Answer 500 to this share of requests (0-1)."
    ),
    partition: bool = typer.Option(
        False, "--partition", help="Drop every packet to the region (network: netns)."
    ),
    loss: float = typer.Option(
        None, "--loss", min=0.0, max=100.0, help="Drop PCT percent of packets (network: netns)."
    ),
    delay: str = typer.Option(
        None, "--delay", help="Delay packets by MS or MS±J milliseconds (network: netns)."
    ),
    heal: bool = typer.Option(
        False, "--heal", help="Back to normal (the spec's network, no drill mode)."
    ),
) -> None:
    """Failure drills on a local region: --kill | --hang | --slow MS | --errors RATE |
    --partition | --loss PCT | --delay MS[±J] | --heal.

    Network faults (--partition, --loss, --delay) shape the region's network namespace
    with tc netem; they need `network: netns` in the spec (and root).

    Example: skyclass chaos aws-us-east-1 --kill
    Example: skyclass chaos gcp-eu --delay 150±20
    """
    from skyclass.cloud import connect

    done = connect(name, state).chaos(
        region,
        kill=kill,
        hang=hang,
        slow_ms=slow,
        errors=errors,
        partition=partition,
        loss=loss,
        delay=delay,
        heal=heal,
    )
    typer.echo(done)
