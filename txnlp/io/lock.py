"""One run at a time per output folder and per state store: an advisory lock file in or beside each.

Two runs into one output folder used to both finish, the last writer winning (and a KPI history holding
rows of both); two incremental runs on one state store removed each other's staging. A run now takes
the lock of every folder and store it writes before it stages anything and keeps it until it has
published, so a second run waits up to `timeout` seconds and then stops with a BusyError naming the
holder's pid. The lock is reentrant within a process (the Prefect flow holds it while its tasks,
threads of the same process, publish), and the OS drops it when its holder dies, even by SIGKILL.
"""
from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from txnlp.errors import BusyError

log = logging.getLogger(__name__)

LOCK_NAME = ".txnlp.lock"


def lock_path(target: Path) -> Path:
    """`<folder>/.txnlp.lock` for a folder, `<file>.lock` beside a file (the SQLite state store)."""
    target = Path(target)
    return target.with_name(target.name + ".lock") if target.suffix else target / LOCK_NAME


@contextmanager
def hold(target: Path, timeout: float) -> Iterator[None]:
    """Hold the lock of `target` (a folder or a file) for the block; BusyError after `timeout` seconds."""
    path = lock_path(target).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, thread_local=False, is_singleton=True)
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        owner = _owner(path)
        raise BusyError(f"{target} is in use by another txnlp run{f' (pid {owner})' if owner else ''}: waited "
                        f"{timeout:g} s for {path.name}; run again when it has finished") from None
    try:
        if lock.lock_counter == 1:
            _owner_file(path).write_text(str(os.getpid()))
        yield
    finally:
        lock.release()


@contextmanager
def hold_all(targets: Iterable[Path], timeout: float) -> Iterator[None]:
    """Hold the locks of every target, taken in one order (sorted paths) so two runs can't deadlock."""
    unique = sorted({lock_path(Path(t)).resolve(): Path(t) for t in targets}.items())
    with ExitStack() as stack:
        for _, target in unique:
            stack.enter_context(hold(target, timeout))
        yield


def _owner_file(path: Path) -> Path:
    return path.with_name(path.name + ".pid")


def _owner(path: Path) -> str | None:
    try:
        return _owner_file(path).read_text().strip() or None
    except OSError:
        return None
