"""Scenarios: stored as numbered versions per tenant, validated on save, published one at a time.

Publishing shows what changes (a unified diff against the published version) and what
happens to contacts already waiting: they keep their place and the treatment they were
given; contacts decided from now on use the new version.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import timedelta

from frontdesk.domain.audit import AuditEntry
from frontdesk.domain.errors import ConflictError, NotFoundError, ValidationError
from frontdesk.domain.ids import TenantId
from frontdesk.domain.ports import Clock
from frontdesk.domain.repositories import Store, Transaction
from frontdesk.domain.scenarios import ScenarioVersion
from frontdesk.routing.plan import ScenarioPlan
from frontdesk.routing.scenario import Catalog, compile_scenario
from frontdesk.services.catalog import TenantConfig
from frontdesk.services.dispatcher import Dispatcher

MAX_SCENARIO = 512 * 1024
NO_NEWLINE = "\\ No newline at end of file\n"


@dataclass(frozen=True, slots=True)
class Publication:
    version: ScenarioVersion
    previous: int | None
    diff: str  # unified diff against the version published before ("" for the first)
    waiting: int  # contacts in line when it was published
    note: str  # what happens to them


async def compile_for(tx: Transaction, tenant: TenantId, text: str) -> ScenarioPlan:
    """Compile ``text`` against the tenant's queues, calendars, lists and agents."""
    _check_size(text)
    config = await TenantConfig.load(tx, tenant)
    agents = await tx.agents.all(tenant)
    catalog = Catalog(
        queues=config.queues,
        calendars=tuple(config.calendars),
        lists=tuple(config.lists),
        agents=frozenset(a.id for a in agents),
    )
    return compile_scenario(text, catalog)


def _check_size(text: str) -> None:
    if len(text.encode()) > MAX_SCENARIO:
        raise ValidationError(
            f"scenario is larger than {MAX_SCENARIO // 1024} KiB", code="scenario.too_large"
        )


class ScenarioService:
    def __init__(self, store: Store, dispatcher: Dispatcher, clock: Clock) -> None:
        self.store = store
        self.dispatcher = dispatcher
        self.clock = clock

    async def validate(self, tenant: TenantId, text: str) -> ScenarioPlan:
        """ScenarioError listing every problem, or the compiled plan."""
        async with self.store.transaction() as tx:
            return await compile_for(tx, tenant, text)

    async def save(
        self, tenant: TenantId, text: str, actor: str, comment: str = ""
    ) -> ScenarioVersion:
        """Store a new version after validating it; it is not published yet."""
        now = self.clock.now()
        async with self.store.transaction() as tx:
            await compile_for(tx, tenant, text)
            number = await tx.scenarios.latest_version(tenant) + 1
            version = ScenarioVersion(tenant, number, text, now, actor, comment)
            await tx.scenarios.add(version)
            await tx.audit.add(AuditEntry(
                tenant, now, actor, "create", "scenario", str(number),
                after={"version": number, "comment": comment},
            ))  # fmt: skip
        return version

    async def diff(self, tenant: TenantId, version: int) -> str:
        async with self.store.transaction() as tx:
            wanted = await self._get(tx, tenant, version)
            published = await tx.scenarios.published(tenant)
        return _diff(published, wanted)

    async def diff_text(self, tenant: TenantId, text: str) -> tuple[int | None, str]:
        """``text``, not saved, against the published version: that version (None when
        nothing is published) and the unified diff ("" when they are the same)."""
        _check_size(text)
        async with self.store.transaction() as tx:
            published = await tx.scenarios.published(tenant)
        if published is None:
            return None, ""
        return published.version, _unified(
            published.text, text, f"version {published.version}", "draft"
        )

    async def publish(self, tenant: TenantId, version: int, actor: str) -> Publication:
        now = self.clock.now()
        async with self.store.transaction() as tx:
            wanted = await self._get(tx, tenant, version)
            published = await tx.scenarios.published(tenant)
            if published is not None and published.version == version:
                raise ConflictError(
                    f"version {version} is already published", code="scenario.already_published"
                )
            await compile_for(tx, tenant, wanted.text)  # the configuration may have changed
            if published is not None and published.published_at is not None:
                # The live version is the one published last: a clock set back (NTP, a
                # restored host) must not leave the earlier one live.
                now = max(now, published.published_at + timedelta(microseconds=1))
            await tx.scenarios.mark_published(tenant, version, now)
            await tx.audit.add(AuditEntry(
                tenant, now, actor, "publish", "scenario", str(version),
                before={"version": published.version} if published else None,
                after={"version": version},
            ))  # fmt: skip
        desk = self.dispatcher.desk(tenant)
        waiting = len(desk.state.waiting) + len(desk.state.offered)
        await self.dispatcher.reload(tenant)
        note = (
            f"{waiting} contact(s) waiting keep their place in line; from now on every new "
            f"contact is decided by version {version}"
        )
        return Publication(
            version=ScenarioVersion(
                tenant, version, wanted.text, wanted.created_at, wanted.author, wanted.comment, now
            ),
            previous=published.version if published else None,
            diff=_diff(published, wanted),
            waiting=waiting,
            note=note,
        )

    async def published(self, tenant: TenantId) -> ScenarioVersion | None:
        """The version contacts are decided by now (None before the first publication)."""
        async with self.store.transaction() as tx:
            return await tx.scenarios.published(tenant)

    async def versions(self, tenant: TenantId) -> list[ScenarioVersion]:
        async with self.store.transaction() as tx:
            return await tx.scenarios.all(tenant)

    async def get(self, tenant: TenantId, version: int) -> ScenarioVersion:
        async with self.store.transaction() as tx:
            return await self._get(tx, tenant, version)

    @staticmethod
    async def _get(tx: Transaction, tenant: TenantId, version: int) -> ScenarioVersion:
        found = await tx.scenarios.get(tenant, version)
        if found is None:
            raise NotFoundError(
                f"scenario version {version} does not exist", code="scenario.not_found"
            )
        return found


def _diff(old: ScenarioVersion | None, new: ScenarioVersion) -> str:
    if old is None:
        return ""
    return _unified(old.text, new.text, f"version {old.version}", f"version {new.version}")


def _unified(old: str, new: str, old_name: str, new_name: str) -> str:
    """A unified diff, one line per line: a last line without its newline gets one, and
    the marker diff(1) uses, so it does not run into the next line."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=old_name,
        tofile=new_name,
    )
    return "".join(line if line.endswith("\n") else line + "\n" + NO_NEWLINE for line in lines)
