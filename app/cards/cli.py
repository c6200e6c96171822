"""flask keys … and flask trust … : signer keys and the list of recognised issuers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask

from app.cards import signing, trusted_issuers
from app.errors import DomainError
from app.extensions import db


def register_commands(app: Flask) -> None:
    keys = click.Group("keys", help="Card signer keys (kept in KEYS_DIR, never in the repo).")
    trust = click.Group("trust", help="Other regions' issuers whose cards we recognise.")

    @keys.command("ensure")
    def keys_ensure() -> None:
        """Create the first signer key if there is none."""
        signer, created = signing.ensure_signer()
        click.echo(f"{'created' if created else 'active'} signer {signer.kid.hex()}")

    @keys.command("create")
    @click.option("--not-before", default=None, help="ISO date the key may sign from.")
    def keys_create(not_before: str | None) -> None:
        """Create a signer key and make it active (the previous one is retired)."""
        now = datetime.fromisoformat(not_before).replace(tzinfo=UTC) if not_before else None
        signer = signing.keyring().create(
            signing.issuer_name(), now=now, organization=signing.issuer_name()
        )
        signing.forget_keys()
        click.echo(f"created and activated signer {signer.kid.hex()}")

    @keys.command("rotate")
    def keys_rotate() -> None:
        """Start signing with a new key; old public keys stay trusted until their cards expire."""
        signer = signing.keyring().rotate(signing.issuer_name(), organization=signing.issuer_name())
        signing.forget_keys()
        click.echo(f"rotated: now signing with {signer.kid.hex()}")

    @keys.command("list")
    def keys_list() -> None:
        """Every key in the ring, with its state."""
        ring = signing.keyring()
        try:
            active = ring.active().kid
        except LookupError:
            active = None
        for signer in ring.signers():
            retired = ring.retired_at(signer.kid)
            state = (
                "active"
                if signer.kid == active
                else f"retired {retired:%Y-%m-%d %H:%M}Z"
                if retired
                else "inactive"
            )
            click.echo(
                f"{signer.kid.hex()}  {state}  "
                f"valid {signer.certificate.not_valid_before_utc:%Y-%m-%d}"
                f"..{signer.certificate.not_valid_after_utc:%Y-%m-%d}"
            )

    @keys.command("export")
    def keys_export() -> None:
        """Print the certificates (PEM) that other regions import to trust our cards."""
        for signer in signing.keyring().signers():
            click.echo(signer.certificate_pem.decode(), nl=False)

    @trust.command("add")
    @click.option(
        "--cert", "cert_path", required=True, type=click.Path(exists=True, dir_okay=False)
    )
    @click.option("--region", required=True, help="The issuer's region code (GB/T 2260).")
    @click.option("--name", default=None, help="A name for the issuer (default: its CN).")
    def trust_add(cert_path: str, region: str, name: str | None) -> None:
        """Trust another issuer's certificate (PEM or DER)."""
        try:
            row = trusted_issuers.add_issuer(
                Path(cert_path).read_bytes(), region_code=region, name=name
            )
        except DomainError as exc:
            raise click.ClickException(exc.code) from None
        db.session.commit()
        click.echo(f"trusted {row.kid} ({row.name}, {row.region_code})")

    @trust.command("remove")
    @click.argument("kid")
    def trust_remove(kid: str) -> None:
        """Stop trusting the issuer(s) with this kid (hex)."""
        try:
            rows = trusted_issuers.remove_issuer(kid=kid)
        except DomainError as exc:
            raise click.ClickException(exc.code) from None
        db.session.commit()
        click.echo(f"removed {len(rows)} issuer(s) with kid {kid}")

    @trust.command("list")
    def trust_list() -> None:
        """Our own signers and the imported issuers."""
        from app.timeutil import utcnow

        for entry in signing.own_trust_entries(utcnow()):
            click.echo(f"{entry.kid.hex()}  own       {entry.region}  {entry.name}")
        for row in trusted_issuers.active_issuers():
            click.echo(f"{row.kid}  imported  {row.region_code}  {row.name}")

    app.cli.add_command(keys)
    app.cli.add_command(trust)
