"""Run calls in threads released at the same moment: two replicas or two people doing one thing at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

A = TypeVar("A")
R = TypeVar("R")


def at_once(fn: Callable[[A], R], args: Iterable[A]) -> list[R]:
    """fn(arg) for every arg, each in its own thread, all started together; the results in order.
    An exception in a thread is raised here, after every thread has ended."""
    items = list(args)
    go = threading.Barrier(len(items))
    results: list[R | None] = [None] * len(items)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        go.wait()
        try:
            results[i] = fn(items[i])
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(items))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]
