"""The bundled example runs, and a bad site model is reported with the field path."""

from __future__ import annotations

from pathlib import Path

import pytest

from frontdesk.cli import main
from frontdesk.sim.loader import SiteError, load_site

EXAMPLES = Path(__file__).parents[3] / "examples"


def test_simulate_the_example_prints_every_queue(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(EXAMPLES / "scenario.yaml"), "--summary", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    for queue in ("general", "sales", "vip", "service"):
        assert any(line.startswith(queue) for line in out.splitlines()), queue
    assert "occupancy" in out


def test_same_seed_same_result_other_seed_other_result(capsys: pytest.CaptureFixture[str]) -> None:
    runs = []
    for seed in ("5", "5", "6"):
        main(["simulate", str(EXAMPLES / "scenario.yaml"), "--summary", "--seed", seed])
        runs.append(capsys.readouterr().out)
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_intervals_are_printed_by_half_hour(capsys: pytest.CaptureFixture[str]) -> None:
    main(["simulate", str(EXAMPLES / "scenario.yaml")])
    out = capsys.readouterr().out
    assert "d1 09:30 general" in out


def test_bad_scenario_exits_2_with_the_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "scenario.yaml"
    bad.write_text("scenario: x\nversion: 1\nrules:\n  - queue: nowhere\n", encoding="utf-8")
    (tmp_path / "site.yaml").write_text((EXAMPLES / "site.yaml").read_text(), encoding="utf-8")
    assert main(["simulate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "line 4" in err
    assert "nowhere" in err


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (("service_level: 90/10", "service_level: ninety"), "queues.vip.service_level"),
        (("overflow: backoffice", "overflow: nowhere"), "queues.general.overflow"),
        (('shift: "08:00-17:00"', 'shift: "8h-17h"'), "agents[0].shift"),
        (("handle: {lognormal: 200, sd: 120}", "handle: {gamma: 200}"), "traffic[0].handle"),
        (('access_point: "+7 495 123-45-70"', 'access_point: "+7 000"'), "traffic[1]"),
    ],
)
def test_bad_site_fields_are_named(change: tuple[str, str], path: str) -> None:
    text = (EXAMPLES / "site.yaml").read_text(encoding="utf-8")
    assert change[0] in text
    with pytest.raises(SiteError, match=path.replace("[", r"\[").replace("]", r"\]")):
        load_site(text.replace(change[0], change[1]))


def test_overflow_loop_is_refused() -> None:
    text = (EXAMPLES / "site.yaml").read_text(encoding="utf-8")
    text = text.replace("backoffice: {service_level: 80/60}",
                        "backoffice: {service_level: 80/60, overflow: general}")  # fmt: skip
    with pytest.raises(SiteError, match="overflow loops"):
        load_site(text)


def test_progress_bar_reaches_the_end(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["simulate", str(EXAMPLES / "scenario.yaml"), "--summary", "--progress", "--days", "2"]
    assert main(args) == 0
    err = capsys.readouterr().err
    shown = [float(part.rsplit("]", 1)[1].strip(" %\n")) for part in err.split("\r") if part]
    assert len(shown) > 20
    assert shown == sorted(shown)
    assert shown[-1] == 100.0
    assert "[##############################] 100.0%" in err


def test_staff_answers_with_the_smallest_team(capsys: pytest.CaptureFixture[str]) -> None:
    # 100 calls in 30 minutes, AHT 180 s, 80 % in 20 s: 13 agents give 79.6 %, 14 enough
    assert main(["staff", "--calls", "100", "--per", "1800", "--aht", "180"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("traffic 10.0 erlangs: 14 agents give service level 88.8%")
