"""Plain-text tables of a simulation's results, for the terminal."""

from __future__ import annotations

from frontdesk.analytics.metrics import QueueMetrics, Report
from frontdesk.analytics.records import Outcome


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:5.1f}%"


def _sec(value: float | None) -> str:
    return "—" if value is None else f"{value:6.1f}s"


def _row(label: str, m: QueueMetrics) -> str:
    return (
        f"{label:<22} {m.offered:>7} {m.answered:>7} {_pct(m.service_level):>7} "
        f"{_sec(m.asa):>8} {_sec(m.aht):>8} {_pct(m.abandon_rate):>7}"
    )


HEADER = f"{'':<22} {'offered':>7} {'answered':>7} {'SL':>7} {'ASA':>8} {'AHT':>8} {'aband.':>7}"


def render(report: Report, interval: float, *, intervals: bool = True) -> str:
    lines = ["By queue", HEADER]
    for queue in sorted(report.by_queue, key=str):
        lines.append(_row(str(queue), report.by_queue[queue]))
    lines.append(f"occupancy {_pct(report.total_occupancy).strip()}")
    outcomes = ", ".join(
        f"{o.value} {report.outcomes[o]}" for o in Outcome if report.outcomes.get(o)
    )
    lines.append(f"contacts: {outcomes}")
    if intervals:
        lines.append("")
        lines.append("By interval (local time from the start of day 1)")
        lines.append(HEADER + f" {'occ.':>7}")
        for (queue, slot), metrics in sorted(
            report.by_interval.items(), key=lambda i: (i[0][1], str(i[0][0]))
        ):
            minutes = int(slot * interval // 60)
            day, minute = divmod(minutes, 1440)
            label = f"d{day + 1} {minute // 60:02d}:{minute % 60:02d} {queue}"
            occupancy = report.occupancy.get(slot)
            lines.append(
                _row(label, metrics) + f" {_pct(occupancy.ratio if occupancy else None):>7}"
            )
    return "\n".join(lines)
