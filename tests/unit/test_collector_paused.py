"""`collector_paused` when steps overlap, as two requests of one server or two jobs run in
process do: the collector stays off until the last step ends, then is as it was before the
first, whichever order they end in."""

from __future__ import annotations

import asyncio
import gc

import pytest

from domain.jobs import collector_paused


@pytest.fixture
def collector():
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


@pytest.mark.parametrize("first_ends_first", [True, False])
@pytest.mark.parametrize("was_on", [True, False])
async def test_overlapping_steps_keep_it_off_until_the_last_ends(collector, first_ends_first,
                                                                   was_on):
    (gc.enable if was_on else gc.disable)()
    seen: list[tuple[str, bool]] = []
    a_in, b_in, a_go, b_go = (asyncio.Event() for _ in range(4))

    async def step(name: str, entered: asyncio.Event, go: asyncio.Event) -> None:
        with collector_paused():
            entered.set()
            await go.wait()
            seen.append((name, gc.isenabled()))

    a = asyncio.create_task(step("a", a_in, a_go))
    await a_in.wait()
    b = asyncio.create_task(step("b", b_in, b_go))
    await b_in.wait()
    first, second = (a_go, b_go) if first_ends_first else (b_go, a_go)
    first.set()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert not gc.isenabled()  # one step still runs
    second.set()
    await asyncio.gather(a, b)
    assert all(not on for _, on in seen)
    assert gc.isenabled() is was_on


def test_an_error_in_the_step_restores_it(collector):
    gc.enable()
    with pytest.raises(ZeroDivisionError), collector_paused():
        assert not gc.isenabled()
        1 / 0  # noqa: B018
    assert gc.isenabled()
