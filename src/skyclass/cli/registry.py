"""``skyclass registry``: push, list, pull, alias, replicate and verify bundle versions.

Registry URLs are any fsspec URL (``file:///srv/reg``, ``s3://bucket/models``,
``gs://bucket/models``, ``az://container/models``); credentials and endpoints
come from the usual environment (``AWS_ENDPOINT_URL``, ``STORAGE_EMULATOR_HOST``,
``AZURE_STORAGE_CONNECTION_STRING``, ...). A version is named by a URI:
``REGISTRY/NAME@VERSION_OR_ALIAS``.
"""

from __future__ import annotations

import json
from pathlib import Path

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
    sign: Path = typer.Option(
        None, "--sign", help="PEM private key: sign the stored version (OpenSSF model signing)."
    ),
    sign_cert: Path = typer.Option(
        None, "--sign-cert", help="With --sign: the key's certificate (certificate signing)."
    ),
    sign_chain: list[Path] = typer.Option(
        None,
        "--sign-chain",
        help="With --sign-cert: issuer certificates up to the root CA (repeatable).",
    ),
) -> None:
    """Verify BUNDLE and push it as the next version; prints the version number.

    Example: skyclass registry push out/churn --to file:///srv/registry --alias champion --sign team.key
    """
    from skyclass.bundle import Registry

    signer = _signing_key(sign, sign_cert, sign_chain)
    typer.echo(Registry(to).push(bundle, name=name, alias=alias, sign=signer))


def _signing_key(key: Path | None, cert: Path | None, chain: list[Path] | None):
    """The ``SigningKey`` the --sign options describe (None without --sign)."""
    from skyclass.bundle import SigningKey
    from skyclass.errors import InputError

    if key is None:
        if cert is not None or chain:
            raise InputError("--sign-cert and --sign-chain need --sign KEY (the certificate's key)")
        return None
    if chain and cert is None:
        raise InputError("--sign-chain needs --sign-cert (the signing certificate it leads to)")
    return SigningKey(key, certificate=cert, chain=tuple(chain or ()))


@registry_app.command("keygen")
def keygen(
    prefix: Path = typer.Argument(
        ..., help="Writes PREFIX.key (private, mode 0600) and PREFIX.pub."
    ),
) -> None:
    """Create a signing key pair (elliptic curve P-256) for --sign / --trusted-key.

    Example: skyclass registry keygen keys/team-2026
    """
    from skyclass.bundle import generate_key

    private, public = generate_key(prefix)
    typer.echo(f"private key: {private} (keep it secret: it signs bundles)")
    typer.echo(f"public key:  {public} (give it to replicas: --trusted-key / trust.keys)")


@registry_app.command("sign")
def sign_(
    bundle: str = typer.Argument(..., help="Local bundle directory or .skyclass file."),
    key: Path = typer.Option(..., "--key", help="PEM private key."),
    cert: Path = typer.Option(None, "--cert", help="The key's certificate (certificate signing)."),
    chain: list[Path] = typer.Option(
        None, "--chain", help="With --cert: issuer certificates up to the root CA."
    ),
) -> None:
    """Sign a local bundle in place (writes model.sig); its hashes are checked first.

    Example: skyclass registry sign out/churn/bundle --key keys/team-2026.key
    """
    from skyclass.bundle import sign

    typer.echo(f"signed: {sign(bundle, _signing_key(key, cert, chain))}")


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
    version: int = typer.Argument(
        None, min=1, help="Version to point at (omit with --delete/--history)."
    ),
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
    older_than: float = typer.Option(
        3600.0, min=0.0, help="Only staging uploads older than this (s)."
    ),
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
    key: list[Path] = typer.Option(
        None, "--key", help="Trusted public key / CA certificate (repeatable): copy only if signed."
    ),
) -> None:
    """Copy a version to other registries (verified, idempotent, resumable).

    Example: skyclass registry replicate s3://a/models/churn@champion --to gs://b/models --to az://c/models
    """
    from skyclass.bundle import replicate as run

    for report in run(uri, to=to, progress=not quiet, trusted_keys=key or None):
        typer.echo(json.dumps(report))


@registry_app.command("verify")
def verify(
    target: str = typer.Argument(..., help="Bundle directory, .skyclass file or registry URI."),
    key: list[Path] = typer.Option(
        None,
        "--key",
        help="Trusted public key / CA certificate (repeatable): the signature must verify too.",
    ),
) -> None:
    """Check every hash and the golden rows (and with --key the signature); exit code 2 with
    the reason if anything is off.

    Example: skyclass registry verify s3://bucket/models/churn@3 --key keys/team-2026.pub
    """
    from skyclass.bundle import load

    bundle = load(target, verify=True, trusted_keys=key or None)
    signed = f"; signed by {bundle.signed_by.short}" if bundle.signed_by else ""
    typer.echo(
        f"ok: {bundle.name}@{bundle.version} ({len(bundle.golden)} golden rows match{signed})"
    )
