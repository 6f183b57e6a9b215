"""``skyclass registry``: push, list, pull, alias, replicate and verify bundle versions.

Registry URLs are any fsspec URL (``file:///srv/reg``, ``s3://bucket/models``,
``gs://bucket/models``, ``az://container/models``); credentials and endpoints
come from the usual environment (``AWS_ENDPOINT_URL``, ``STORAGE_EMULATOR_HOST``,
``AZURE_STORAGE_CONNECTION_STRING``, ...). A version is named by a URI:
``REGISTRY/NAME@VERSION_OR_ALIAS``.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console
from rich.table import Table

from skyclass.cli._app import app

registry_app = typer.Typer(
    name="registry",
    help="Versioned, aliased bundles on local disk, S3, GCS or Azure Blob.\n\n"
    "Example: skyclass registry push out/churn --to s3://models/registry --alias champion",
    no_args_is_help=True,
)
app.add_typer(registry_app, name="registry")


@registry_app.command("push")
def push(
    bundle: str = typer.Argument(..., help="Bundle directory or .skyclass file."),
    to: str = typer.Option(..., "--to", help="Registry URL, e.g. s3://bucket/models."),
    name: str = typer.Option(None, help="Model name (default: the bundle's own)."),
    alias: str = typer.Option(None, help="Point this alias at the new version."),
) -> None:
    """Verify BUNDLE and push it as the next version; prints the version number.

    Example: skyclass registry push out/churn --to file:///srv/registry --alias champion
    """
    from skyclass.bundle import Registry

    typer.echo(Registry(to).push(bundle, name=name, alias=alias))


@registry_app.command("list")
def list_(
    registry: str = typer.Argument(..., help="Registry URL."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
) -> None:
    """List models, their versions and aliases.

    Example: skyclass registry list s3://bucket/models --json
    """
    from skyclass.bundle import Registry

    entries = Registry(registry).list()
    if as_json:
        typer.echo(json.dumps(entries, indent=2))
        return
    table = Table("name", "versions", "latest", "aliases")
    for e in entries:
        aliases = ", ".join(f"{a}→{v}" for a, v in sorted(e["aliases"].items()))
        table.add_row(e["name"], ", ".join(map(str, e["versions"])), str(e["latest"]), aliases)
    Console().print(table)


@registry_app.command("pull")
def pull(
    uri: str = typer.Argument(..., help="REGISTRY/NAME@VERSION_OR_ALIAS."),
    dest: str = typer.Argument(..., help="Directory to create."),
) -> None:
    """Download a verified version into DEST.

    Example: skyclass registry pull s3://bucket/models/churn@champion ./churn
    """
    from skyclass.bundle import Registry, parse_uri

    root, name, ref = parse_uri(uri)
    typer.echo(Registry(root).pull(name, ref, dest))


@registry_app.command("alias")
def alias(
    registry: str = typer.Argument(..., help="Registry URL."),
    name: str = typer.Argument(..., help="Model name."),
    alias_name: str = typer.Argument(..., metavar="ALIAS", help="Alias, e.g. champion."),
    version: int = typer.Argument(None, min=1, help="Version to point at (omit with --delete/--history)."),
    delete: bool = typer.Option(False, "--delete", help="Remove the alias (history is kept)."),
    history: bool = typer.Option(False, "--history", help="Print the alias's history as JSON."),
) -> None:
    """Set, delete or show the history of an alias ('latest' is reserved).

    Example: skyclass registry alias s3://bucket/models churn champion 3
    """
    from skyclass.bundle import Registry
    from skyclass.errors import InputError

    reg = Registry(registry)
    if history:
        typer.echo(json.dumps(reg.alias_history(name, alias_name), indent=2))
    elif delete:
        reg.delete_alias(name, alias_name)
    elif version is None:
        raise InputError("give the VERSION to point the alias at (or --delete / --history)")
    else:
        reg.set_alias(name, alias_name, version)
        typer.echo(f"{name}@{alias_name} → {version}")


@registry_app.command("delete")
def delete(
    uri: str = typer.Argument(
        ..., help="REGISTRY/NAME@VERSION (a number: aliases must move first)."
    ),
) -> None:
    """Delete a version; its number is never reused.

    Example: skyclass registry delete s3://bucket/models/churn@2
    """
    from skyclass.bundle import Registry, parse_uri
    from skyclass.errors import InputError

    root, name, ref = parse_uri(uri)
    if not ref.lstrip("v").isdigit():
        raise InputError(f"delete takes a version number (NAME@3), not {ref!r}")
    Registry(root).delete(name, int(ref.lstrip("v")))
    typer.echo(f"deleted {name}@{ref.lstrip('v')}")


@registry_app.command("clean")
def clean(
    registry: str = typer.Argument(..., help="Registry URL."),
    older_than: float = typer.Option(3600.0, min=0.0, help="Only staging uploads older than this (s)."),
) -> None:
    """Delete staging uploads left behind by crashed pushes (never visible as versions).

    Example: skyclass registry clean s3://bucket/models --older-than 86400
    """
    from skyclass.bundle import Registry

    typer.echo(f"removed {Registry(registry).clean_staging(older_than)} staging uploads")


@registry_app.command("replicate")
def replicate(
    uri: str = typer.Argument(..., help="Source REGISTRY/NAME@VERSION_OR_ALIAS."),
    to: list[str] = typer.Option(..., "--to", help="Destination registry URL (repeatable)."),
    quiet: bool = typer.Option(False, "--quiet", help="No progress bar."),
) -> None:
    """Copy a version to other registries (verified, idempotent, resumable).

    Example: skyclass registry replicate s3://a/models/churn@champion --to gs://b/models --to az://c/models
    """
    from skyclass.bundle import replicate as run

    for report in run(uri, to=to, progress=not quiet):
        typer.echo(json.dumps(report))


@registry_app.command("verify")
def verify(
    target: str = typer.Argument(..., help="Bundle directory, .skyclass file or registry URI."),
) -> None:
    """Check every hash and the golden rows; exit code 2 with the file named if anything is off.

    Example: skyclass registry verify s3://bucket/models/churn@3
    """
    from skyclass.bundle import load

    bundle = load(target, verify=True)
    typer.echo(f"ok: {bundle.name}@{bundle.version} ({len(bundle.golden)} golden rows match)")
