"""``workroom qr …``: codes, posters and use figures for the office and for scripts."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from schema.kinds import QR_PLACEMENTS
from sync.clock import SystemClock
from sync.db.engine import make_engine
from sync.domain.shanghai import fmt_datetime
from sync.qr import images, poster, rules
from sync.qr.api import code_state
from sync.qr.registry import QrRegistry
from sync.settings import Settings
from sync.store.blobs import BlobFolder

T = TypeVar("T")


def _settings(args: argparse.Namespace) -> Settings:
    from sync.cli import _settings as from_flags  # the main CLI owns the common flags

    return from_flags(args)


def _base_url(args: argparse.Namespace, settings: Settings) -> str:
    # What residents' phones reach: the public address behind the reverse proxy.
    if args.base_url:
        return str(args.base_url).rstrip("/")
    if settings.public_url:
        return settings.public_url
    base = f"http://{settings.host}:{settings.port}"
    if args.qr_command in ("poster", "image"):
        print(f"warning: no --base-url nor WORKROOM_PUBLIC_URL; the codes point at {base}, "
              "which residents' phones "
              "may not reach", file=sys.stderr)
    return base


def _run(settings: Settings, work: Callable[[QrRegistry], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = make_engine(settings.database_url)
        try:
            return await work(QrRegistry(engine, SystemClock()))
        finally:
            await engine.dispose()

    return asyncio.run(main())


def cmd_qr(args: argparse.Namespace) -> int:
    settings = _settings(args)
    base = _base_url(args, settings)
    action = args.qr_command
    if action in ("create", "replace"):
        found = _run(settings, lambda r: r.create(args.community_id, args.placement, by=None)
                     if action == "create" else r.replace(args.code, by=None))
        print(images.public_url(base, found.code))
    elif action == "revoke":
        found = _run(settings, lambda r: r.revoke(args.code, by=None))
        print(f"{found.code} {code_state(found)}")
    elif action == "list":
        now = SystemClock().now_ms()
        for c in _run(settings, lambda r: r.codes(by=None, community_id=args.community_id,
                                                  squad_id=args.squad)):
            if args.stale_days is not None and not (c.active and rules.is_stale(
                    posted_ms=c.posted_ms, last_scan_ms=c.last_scan_ms, now_ms=now,
                    days=args.stale_days)):
                continue
            last = fmt_datetime(c.last_scan_ms) if c.last_scan_ms else "-"
            print("\t".join((images.public_url(base, c.code), c.placement, code_state(c),
                             c.community_id, fmt_datetime(c.posted_ms)[:10], last)))
    elif action == "poster":
        if not (args.community_id or args.squad):
            print("error: name a COMMUNITY_ID or --squad SQUAD_ID", file=sys.stderr)
            return 2
        pages = _run(settings, lambda r: r.poster_pages(
            by=None, community_id=args.community_id, squad_id=args.squad))
        html = poster.render(pages, base_url=base, folder=BlobFolder(settings.blob_dir))
        Path(args.out).write_text(html, encoding="utf-8")
        print(f"{len(pages)} page(s) written to {args.out}")
    elif action == "image":
        found = _run(settings, lambda r: r.find(args.code, by=None))
        url = images.public_url(base, found.code)
        out = Path(args.out)
        if out.suffix.lower() == ".svg":
            out.write_text(images.svg(url), encoding="utf-8")
        else:
            out.write_bytes(images.png(url))
        print(f"{url} written to {out}")
    else:
        for row in _run(settings, lambda r: r.figures(by=None, community_id=args.community_id,
                                                      weeks=args.weeks)):
            print("\t".join((row.week, row.community_id, row.code or "(total)",
                             row.placement or "", f"scans={row.scans}",
                             f"reports={row.reports}")))
    return 0


def register(commands: Any) -> None:
    """Add ``qr`` and its actions to the main parser's subcommands."""
    from sync.cli import _db_flags

    qr = commands.add_parser("qr", help="residents' QR codes: create, list, revoke, posters")
    actions = qr.add_subparsers(dest="qr_command", required=True, metavar="ACTION")
    create = actions.add_parser("create", help="a new code for a community; prints its URL")
    create.add_argument("community_id")
    create.add_argument("--placement", required=True,
                        help=" | ".join((*QR_PLACEMENTS, "any named spot")))
    listing = actions.add_parser("list", help="one line per code: URL, placement, state, ...")
    listing.add_argument("community_id", nargs="?")
    listing.add_argument("--squad", help="only this squad's communities")
    listing.add_argument("--stale-days", type=int, metavar="N",
                         help="only active codes nobody has scanned for N days")
    revoke = actions.add_parser("revoke", help="stop a code taking reports")
    revoke.add_argument("code")
    replace = actions.add_parser("replace", help="revoke a code and make a new one there")
    replace.add_argument("code")
    posters = actions.add_parser("poster", help="printable A4 posters (HTML) of active codes")
    posters.add_argument("community_id", nargs="?")
    posters.add_argument("--squad", help="every community of a squad, in one file")
    posters.add_argument("--out", required=True, help="the HTML file to write")
    image = actions.add_parser("image", help="one code as PNG or SVG (by --out's suffix)")
    image.add_argument("code")
    image.add_argument("--out", required=True)
    figures = actions.add_parser("figures", help="scans and reports per code and week")
    figures.add_argument("community_id", nargs="?")
    figures.add_argument("--weeks", type=int, default=8)
    for sub in (create, listing, revoke, replace, posters, image, figures):
        _db_flags(sub)
        sub.add_argument("--base-url", help="the public address residents reach, e.g. "
                                            "https://workroom.example.gov.cn")
    qr.set_defaults(func=cmd_qr)
