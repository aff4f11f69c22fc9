"""An election's reconciliation at a glance: per polling area the rows listed, the eligible
voters the register holds, each kind of discrepancy with resolved and open; and warnings
when the list posting date or the amendment deadline is near, or passed with open ones."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date

from domain.access import Principal
from domain.clock import VN, today_vn
from domain.elections.models import DiscrepancyKind
from domain.elections.reconciliation import eligible_in
from domain.elections.reconciliation_schemas import AreaSummary, DeadlineWarning, SummaryRead
from domain.jobs import collector_paused
from domain.ports import UnitOfWork

_TEXT = {
    "list_posting_near": "Còn {days} ngày đến ngày niêm yết danh sách cử tri ({on})",
    "list_posting_passed": "Đã qua ngày niêm yết danh sách cử tri ({on})",
    "amendment_deadline_near": "Còn {days} ngày đến hạn cuối sửa danh sách cử tri ({on})",
    "amendment_deadline_passed": "Đã qua hạn cuối sửa danh sách cử tri ({on})",
}


def deadline_warnings(*, posting: date, amendment: date, today: date, open_count: int,
                      within_days: int) -> list[DeadlineWarning]:
    """A date within `within_days` (today included) warns; one passed warns while
    discrepancies are still open."""
    out = []
    for name, on in (("list_posting", posting), ("amendment_deadline", amendment)):
        left = (on - today).days
        if 0 <= left <= within_days:
            code = f"{name}_near"
        elif left < 0 and open_count:
            code = f"{name}_passed"
        else:
            continue
        message = _TEXT[code].format(days=left, on=on.strftime("%d/%m/%Y"))
        if open_count:
            message += f", còn {open_count} sai lệch chưa xử lý"
        out.append(DeadlineWarning(code=code, on=on, days_left=left,
                                   open=open_count, message=message))
    return out


async def election_summary(uow: UnitOfWork, who: Principal, election_id: uuid.UUID, *,
                           within_days: int, unit_id: uuid.UUID | None = None,
                           today: date | None = None) -> SummaryRead:
    """Every polling area of the election the caller reads, or those within `unit_id` (a
    unit the caller reads: any other, existing or not, is the same 404 `unit_not_found`);
    an election the caller cannot see is its 404 before the unit is looked at."""
    election = await uow.elections.get(who, election_id)
    areas = await uow.reconciliations.areas_readable(who, election.id)
    if unit_id is not None:
        unit = await uow.units.get(who, unit_id)
        inside = {a.id for a in await uow.reconciliations.areas_within(election.id, unit)}
        areas = [a for a in areas if a.id in inside]
    versions = await uow.voter_lists.latest_versions([a.id for a in areas])
    runs = await uow.reconciliations.covering(list(versions.values()))
    tallies = await uow.discrepancies.tally({
        area.id: runs[versions[area.id].id].id for area in areas
        if area.id in versions and versions[area.id].id in runs})
    # The register is read a commune at a time, all its areas in one statement (as a run
    # reads it): a province's summary holds one commune's records in memory at once.
    eligible: Counter[uuid.UUID] = Counter()
    by_commune: dict[uuid.UUID, list] = {}
    for area in areas:
        by_commune.setdefault(area.commune_id, []).append(area)
    for commune_areas in by_commune.values():
        with collector_paused():  # as a run's commune step: a hundred thousand records
            eligible.update(await eligible_in(uow, who, election, commune_areas))
    out, total_open = [], 0
    for area in areas:
        version = versions.get(area.id)
        counts = {kind.value: 0 for kind in DiscrepancyKind}
        kinds, resolved, still = tallies.get(area.id, ({}, 0, 0))
        counts.update(kinds)
        total_open += still
        out.append(AreaSummary(
            polling_area_id=area.id, code=area.code, name=area.name,
            list_version_id=version.id if version else None,
            finalised=bool(version and version.finalised_at), listed=version.row_count
            if version else 0, eligible=eligible[area.id], counts=counts,
            resolved=resolved, open=still))
    warnings = deadline_warnings(
        posting=election.list_posting_on,
        amendment=election.amendment_deadline_at.astimezone(VN).date(),
        today=today or today_vn(), open_count=total_open, within_days=within_days)
    return SummaryRead(election_id=election.id, areas=out, warnings=warnings)
