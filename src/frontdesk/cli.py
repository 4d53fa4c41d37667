"""The ``frontdesk`` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from frontdesk.domain.errors import FrontdeskError


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

    scenario = commands.add_parser("scenario", help="work with scenario files")
    scenario_commands = scenario.add_subparsers(dest="action", required=True)
    validate = scenario_commands.add_parser("validate", help="check a scenario file")
    validate.add_argument("scenario")
    validate.add_argument("--site", help="site model YAML (default: site.yaml beside it)")
    validate.set_defaults(run=cmd_validate)

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
