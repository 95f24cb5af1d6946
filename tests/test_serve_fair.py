"""Fair sharing of worker slots between clients (kg.serve.fair), on the event loop alone."""
from __future__ import annotations

import asyncio

import pytest

from kg.serve.fair import FairShare, Overloaded, WaitedTooLong


def run(coro):
    return asyncio.run(coro)


async def _hold(fair: FairShare, client: str, log: list, release: asyncio.Event, timeout=5.0):
    async with fair.slot(client, timeout):
        log.append(client)
        await release.wait()


async def _settle():
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.mark.parametrize("slots,share,expected", [(4, None, 2), (1, None, 1), (5, None, 2), (4, 3, 3)])
def test_serve_fair_share_defaults_to_half_the_slots(slots, share, expected):
    assert FairShare(slots, share).share == expected


def test_serve_fair_one_client_never_takes_more_than_its_share():
    async def main():
        fair, log, release = FairShare(4), [], asyncio.Event()
        tasks = [asyncio.create_task(_hold(fair, "greedy", log, release)) for _ in range(6)]
        await _settle()
        assert log == ["greedy"] * 2 and fair.free == 2 and fair.waiting("greedy") == 4
        polite = asyncio.create_task(_hold(fair, "polite", log, release))
        await _settle()
        assert log[-1] == "polite" and fair.free == 1  # a free slot, at once
        release.set()
        await asyncio.gather(*tasks, polite)
        assert fair.free == 4 and fair.running == {} and log.count("greedy") == 6

    run(main())


def test_serve_fair_freed_slot_goes_to_the_client_running_fewest():
    async def main():
        fair, log = FairShare(3, share=2), []
        gates = {name: asyncio.Event() for name in ("a1", "a2", "b1")}
        held = [asyncio.create_task(_hold(fair, name[0], log, gates[name])) for name in gates]
        await _settle()
        assert log == ["a", "a", "b"] and fair.free == 0
        later = asyncio.Event()
        waiting = [asyncio.create_task(_hold(fair, c, log, later)) for c in ("a", "b", "c")]
        await _settle()
        gates["a1"].set()  # a runs 1, b runs 1, c runs 0: c is next although it came last
        await _settle()
        assert log[3:] == ["c"]
        gates["b1"].set()  # a runs 1, b runs 0: b next
        await _settle()
        assert log[3:] == ["c", "b"]
        later.set()
        gates["a2"].set()
        await asyncio.gather(*held, *waiting)
        assert log[3:] == ["c", "b", "a"] and fair.free == 3

    run(main())


def test_serve_fair_too_many_waiting_is_overloaded():
    async def main():
        fair, log, release = FairShare(2, share=1, queue_limit=2), [], asyncio.Event()
        tasks = [asyncio.create_task(_hold(fair, "x", log, release)) for _ in range(3)]
        await _settle()
        assert fair.waiting("x") == 2
        with pytest.raises(Overloaded, match="already waiting"):
            await _hold(fair, "x", log, release)
        release.set()
        await asyncio.gather(*tasks)

    run(main())


def test_serve_fair_a_waiter_that_gives_up_takes_no_slot():
    async def main():
        fair, log, release = FairShare(1), [], asyncio.Event()
        holder = asyncio.create_task(_hold(fair, "a", log, release))
        await _settle()
        with pytest.raises(WaitedTooLong):
            await _hold(fair, "b", log, release, timeout=0.05)
        gone = asyncio.create_task(_hold(fair, "c", log, release))
        await _settle()
        gone.cancel()  # a client that disconnects while waiting
        await _settle()
        assert fair.waiting("b") == fair.waiting("c") == 0
        release.set()
        await holder
        assert fair.free == 1 and log == ["a"]
        await _hold(fair, "d", log, release)
        assert log == ["a", "d"] and fair.free == 1

    run(main())
