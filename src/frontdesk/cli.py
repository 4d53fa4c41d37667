"""The ``frontdesk`` command."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from frontdesk.domain.errors import FrontdeskError

if TYPE_CHECKING:
    from frontdesk.config import Settings


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise SystemExit(f"frontdesk: cannot read {path}: {error.strerror}") from None


def _site_path(scenario: str, site: str | None) -> str:
    return site if site is not None else str(Path(scenario).with_name("site.yaml"))


def _progress(fraction: float) -> None:
    width = 30
    filled = int(fraction * width)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {100 * fraction:5.1f}%")
    if fraction >= 1.0:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_simulate(args: argparse.Namespace) -> int:
    from frontdesk.routing.scenario import compile_scenario
    from frontdesk.sim.engine import Simulation
    from frontdesk.sim.loader import catalog_of, load_site
    from frontdesk.sim.summary import render

    site_path = _site_path(args.scenario, args.site)
    site = load_site(_read(site_path), site_path)
    plan = compile_scenario(_read(args.scenario), catalog_of(site))
    show = args.progress or (args.progress is None and sys.stderr.isatty() and args.days > 1)
    result = Simulation(plan, site, args.seed).run(args.days, _progress if show else None)
    print(f"scenario {plan.name} v{plan.version}, {args.days:g} day(s), seed {args.seed}, "
          f"{len(result.records)} contacts")  # fmt: skip
    print(render(result.report, site.interval, intervals=not args.summary))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from frontdesk.routing.scenario import compile_scenario

    if args.tenant is not None:
        from frontdesk.app.commands import validate_in_database

        return validate_in_database(_settings(args), args.tenant, _read(args.scenario))
    from frontdesk.sim.loader import catalog_of, load_site

    site_path = _site_path(args.scenario, args.site)
    site = load_site(_read(site_path), site_path)
    plan = compile_scenario(_read(args.scenario), catalog_of(site))
    print(f"{args.scenario}: scenario {plan.name} v{plan.version} is valid "
          f"({len(plan.rules)} rules, {len(plan.procedures)} procedures, "
          f"{len(plan.menus)} menus)")  # fmt: skip
    return 0


def cmd_staff(args: argparse.Namespace) -> int:
    from frontdesk.wfm.erlang import mmc, servers_for_service_level

    rate = args.calls / args.per
    agents = servers_for_service_level(rate, args.aht, args.target, args.level / 100)
    result = mmc(agents, rate, args.aht, args.target)
    print(f"traffic {rate * args.aht:.1f} erlangs: {agents} agents give service level "
          f"{100 * result.service_level:.1f}% in {args.target:g}s, ASA {result.asa:.1f}s, "
          f"occupancy {100 * result.occupancy:.1f}%")  # fmt: skip
    return 0


def _settings(args: argparse.Namespace) -> Settings:
    from frontdesk.config import load_settings

    return load_settings(
        args.config,
        overrides={
            "data_dir": getattr(args, "data_dir", None) or getattr(args, "data_dir_default", None),
            "database_url": getattr(args, "database", None),
            "host": getattr(args, "host", None),
            "port": getattr(args, "port", None),
            "voice": True if getattr(args, "voice", False) else None,
        },
    )


def cmd_serve(args: argparse.Namespace) -> int:
    from frontdesk.app.commands import serve

    return serve(_settings(args))


def cmd_migrate(args: argparse.Namespace) -> int:
    from frontdesk.app.commands import run_migrate

    return run_migrate(_settings(args))


def cmd_check_config(args: argparse.Namespace) -> int:
    from frontdesk.app.commands import check_config

    return check_config(_settings(args))


def cmd_publish(args: argparse.Namespace) -> int:
    from frontdesk.app.commands import publish_scenario

    return publish_scenario(_settings(args), args.tenant, _read(args.scenario), args.comment)


def cmd_users_create(args: argparse.Namespace) -> int:
    from frontdesk.app.commands import create_user

    password = os.environ.get("FRONTDESK_PASSWORD") or getpass.getpass("password: ")
    return create_user(_settings(args), args.tenant, args.username, password, args.role,
                       args.agent)  # fmt: skip


def cmd_install_voice(args: argparse.Namespace) -> int:
    from frontdesk.app.voice import install_packages

    return install_packages()


def cmd_demo(args: argparse.Namespace) -> int:
    from frontdesk.app.commands import demo

    return demo(_settings(args), args.rate, args.seed)


def _service_options(command: argparse.ArgumentParser, *, listen: bool = False) -> None:
    command.add_argument("--config", help="settings file (default: ./frontdesk.toml if present)")
    command.add_argument("--data-dir", help="where the embedded database lives")
    command.add_argument("--database", help="database URL (sqlite:///... or postgresql://...)")
    if listen:
        command.add_argument("--host", help="address to listen on (default 127.0.0.1)")
        command.add_argument("--port", type=int, help="port to listen on (default 8080)")
        command.add_argument(
            "--voice", action="store_true",
            help="run the voice channel: Kamailio, rtpengine and the B2BUA (docs/voice.md)",
        )  # fmt: skip


def _scenario_commands(commands: Any) -> None:
    scenario = commands.add_parser("scenario", help="work with scenario files")
    scenario_commands = scenario.add_subparsers(dest="action", required=True)
    validate = scenario_commands.add_parser("validate", help="check a scenario file")
    validate.add_argument("scenario")
    validate.add_argument("--site", help="site model YAML (default: site.yaml beside it)")
    validate.add_argument("--tenant", help="check against this tenant's configuration instead")
    _service_options(validate)
    validate.set_defaults(run=cmd_validate)
    publish = scenario_commands.add_parser("publish", help="save and publish a scenario")
    publish.add_argument("scenario")
    publish.add_argument("--tenant", default="default")
    publish.add_argument("--comment", default="")
    _service_options(publish)
    publish.set_defaults(run=cmd_publish)


def _service_commands(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run the contact center server")
    _service_options(serve, listen=True)
    serve.set_defaults(run=cmd_serve)
    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    _service_options(migrate)
    migrate.set_defaults(run=cmd_migrate)
    check = commands.add_parser("check-config", help="check settings, database and scenarios")
    _service_options(check)
    check.add_argument("--voice", action="store_true", help="check the voice channel's parts too")
    check.set_defaults(run=cmd_check_config)
    install = commands.add_parser(
        "install-voice", help="install the voice channel's Debian packages (as root)"
    )
    install.set_defaults(run=cmd_install_voice)
    demo = commands.add_parser("demo", help="a demo tenant with live traffic, served")
    _service_options(demo, listen=True)
    demo.add_argument("--rate", type=float, default=6.0, help="contacts per minute")
    demo.add_argument("--seed", type=int, default=2026)
    demo.set_defaults(run=cmd_demo, data_dir_default="frontdesk-demo")

    users = commands.add_parser("users", help="manage users")
    users_commands = users.add_subparsers(dest="action", required=True)
    create = users_commands.add_parser(
        "create", help="create a user (password from $FRONTDESK_PASSWORD or a prompt)"
    )
    create.add_argument("username")
    create.add_argument("--role", choices=["agent", "supervisor", "admin"], required=True)
    create.add_argument("--tenant", default="default")
    create.add_argument("--agent", help="the agent profile this user works as")
    _service_options(create)
    create.set_defaults(run=cmd_users_create)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="frontdesk", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)

    sim = commands.add_parser("simulate", help="run a scenario on simulated traffic")
    sim.add_argument("scenario", help="scenario YAML file")
    sim.add_argument("--site", help="site model YAML (default: site.yaml beside the scenario)")
    sim.add_argument("--days", type=float, default=1.0)
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--summary", action="store_true", help="per-queue totals only")
    sim.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
    sim.set_defaults(run=cmd_simulate)

    _scenario_commands(commands)
    _service_commands(commands)

    staff = commands.add_parser("staff", help="agents needed for a service level (Erlang C)")
    staff.add_argument("--calls", type=float, required=True, help="contacts per period")
    staff.add_argument("--per", type=float, default=3600.0, help="period in seconds")
    staff.add_argument("--aht", type=float, required=True, help="average handle time, s")
    staff.add_argument("--level", type=float, default=80.0, help="target percent")
    staff.add_argument("--target", type=float, default=20.0, help="answer within seconds")
    staff.set_defaults(run=cmd_staff)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.run(args))
    except FrontdeskError as error:
        print(f"frontdesk: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
