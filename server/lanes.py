"""Two lanes of query workers with fair queueing: slow queries never hold the workers fast ones need.

One pool for every query let four clients sending time-limit queries starve everyone else: each
such query held a worker for its whole limit, and the queue behind it was first come, first
served.  So the workers are split:

* the **fast lane** (``--workers`` processes, at normal priority) takes every query first;
* the **slow lane** (``DIPKG_SLOW_WORKERS``, default 1, at ``nice`` 19 so it only gets the CPU
  the fast lane leaves) takes queries known or found to be expensive.  A query goes there
  directly when its shape is a cartesian product (``server.cost``) or when the same query was
  demoted recently; a query that uses more than ``DIPKG_FAST_BUDGET`` seconds of CPU in a fast
  worker is *demoted* while it runs: its worker is reniced and becomes the slow lane's (the idle
  slow worker it replaces is retired, and a fresh fast worker is started), so no work is lost.
  If the slow lane has no free place, the fast worker is killed and the query waits for the slow
  lane within its own time limit.

Within each lane, waiting requests are served per client in turn (round robin over peer
addresses, each client's requests in order), so one client cannot hold every worker by sending
many requests; and a client may run at most ``DIPKG_SLOW_PER_CLIENT`` (1) queries in the slow
lane at once.  Everything here is guarded by one lock; handing a worker to a waiting request is
``Ticket.event``.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

FAST = "fast"
SLOW = "slow"
#: The slow lane's priority (the highest nice value): it runs on what the fast lane leaves.
SLOW_NICE = 19
_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass
class Worker:
    process: BaseProcess
    conn: Connection
    lane: str
    started: float = field(default_factory=time.monotonic)


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a process has used, from ``/proc``; None where it cannot be read.
    Demotion is decided on it rather than on wall time, so that a cheap query that only waited
    for a core on a busy machine stays in the fast lane."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / _TICK


def renice(pid: int, nice: int) -> None:
    """Lower the priority of every thread of a process (Linux keeps nice per thread)."""
    try:
        tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
    except OSError:
        tids = [pid]
    for tid in tids:
        # a thread that ended, or a system that refuses: the lane still caps its concurrency
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, tid, nice)


@dataclass
class Ticket:
    """A request waiting for a worker of a lane."""

    client: str
    event: threading.Event = field(default_factory=threading.Event)
    worker: Worker | None = None


class Lane:
    """The workers of one lane and the clients waiting for them."""

    def __init__(self, name: str, per_client: int | None) -> None:
        self.name = name
        self.per_client = per_client
        self.idle: list[Worker] = []
        self.waiting: OrderedDict[str, deque[Ticket]] = OrderedDict()
        self.running: Counter[str] = Counter()

    def allowed(self, client: str) -> bool:
        return self.per_client is None or self.running[client] < self.per_client

    def dispatch(self) -> None:
        """Hand idle workers to waiting requests, one client at a time in turn."""
        while self.idle and self.waiting:
            client = next((c for c in self.waiting if self.allowed(c)), None)
            if client is None:
                return  # everyone waiting is at their cap
            tickets = self.waiting[client]
            ticket = tickets.popleft()
            if tickets:
                self.waiting.move_to_end(client)  # the next worker goes to another client first
            else:
                del self.waiting[client]
            ticket.worker = self.idle.pop()
            self.running[client] += 1
            ticket.event.set()

    def done(self, client: str) -> None:
        self.running[client] -= 1
        if self.running[client] <= 0:
            del self.running[client]


class Lanes:
    """The fast and the slow lane over workers made by ``spawn(lane)``; thread-safe."""

    def __init__(self, spawn: Callable[[str], Worker], fast: int, slow: int, slow_per_client: int,
                 eager: bool = True) -> None:
        """``eager``: start every worker before returning (a service); otherwise only the fast
        lane, the slow lane and the spare starting meanwhile (``dipkg query``, which answers one
        query and should not wait for workers it will most likely not use)."""
        self._spawn = spawn
        self._lock = threading.Lock()
        self.lanes = {FAST: Lane(FAST, None), SLOW: Lane(SLOW, max(1, slow_per_client))}
        self.closed = False
        self.killed = 0
        self.demoted = 0
        #: a started worker that belongs to no lane yet: it takes the place of a worker that is
        #: killed or demoted at once, where starting a process takes a second or more on a busy
        #: machine (time in which the fast lane would be a worker short)
        self.spare: list[Worker] = []
        for _ in range(max(1, fast)):
            self.lanes[FAST].idle.append(spawn(FAST))
        if eager:
            self.lanes[SLOW].idle.extend(spawn(SLOW) for _ in range(max(1, slow)))
            self.spare.append(spawn(FAST))
        else:
            for lane in [SLOW] * max(1, slow) + [None]:
                threading.Thread(target=self._respawn, args=(lane,), daemon=True).start()

    def acquire(self, lane: str, client: str, timeout: float) -> Worker | None:
        """A worker of ``lane`` for ``client``, or None if none was free within ``timeout``."""
        ticket = Ticket(client)
        with self._lock:
            self.lanes[lane].waiting.setdefault(client, deque()).append(ticket)
            self.lanes[lane].dispatch()
        if ticket.event.wait(max(0.0, timeout)):
            return ticket.worker
        with self._lock:
            if ticket.worker is not None:
                return ticket.worker  # handed over just as the wait ran out: use it
            tickets = self.lanes[lane].waiting.get(client)
            if tickets is not None:
                tickets.remove(ticket)
                if not tickets:
                    del self.lanes[lane].waiting[client]
        return None

    def release(self, worker: Worker, client: str) -> None:
        """The query is answered: the worker serves the next request of its lane."""
        with self._lock:
            lane = self.lanes[worker.lane]
            lane.done(client)
            lane.idle.append(worker)
            lane.dispatch()

    def discard(self, worker: Worker, client: str) -> None:
        """The worker was killed or died with ``client``'s query: start a replacement in its lane."""
        with self._lock:
            self.lanes[worker.lane].done(client)
            self.killed += 1
        self._stop(worker)
        self._refill(worker.lane)

    def demote(self, worker: Worker, client: str) -> bool:
        """Move a fast worker that is running ``client``'s expensive query into the slow lane, if
        that lane has an idle worker (which is retired) and the client is under its cap there.
        False: no place, and the caller stops the query and queues it for the slow lane."""
        with self._lock:
            slow = self.lanes[SLOW]
            if worker.lane != FAST or not slow.idle or not slow.allowed(client):
                return False
            retired = slow.idle.pop()
            self.lanes[FAST].done(client)
            worker.lane = SLOW
            slow.running[client] += 1
            self.demoted += 1
        renice(worker.process.pid or 0, SLOW_NICE)
        self._stop(retired)
        self._refill(FAST)
        return True

    def _refill(self, lane: str) -> None:
        """Give ``lane`` a worker for one it lost: the fast lane the spare at once if there is one
        (and start a new spare), else a new one when it has started.  The slow lane always waits
        for a new one, started at its low priority: a time-limit query replaced every few seconds
        then costs the fast lane no CPU for the start."""
        with self._lock:
            if self.closed:
                return
            spare = self.spare.pop() if self.spare and lane == FAST else None
            if spare is not None and not spare.process.is_alive():
                dead, spare = spare, None  # killed from outside while it waited: start another
                self._stop(dead)
            if spare is not None:
                spare.lane = lane
                self.lanes[lane].idle.append(spare)
                self.lanes[lane].dispatch()
        threading.Thread(target=self._respawn, args=(None if spare is not None else lane,), daemon=True).start()

    def _respawn(self, lane: str | None) -> None:
        """Start a worker for ``lane`` (None: the spare); a start that fails is retried rather
        than letting the lane shrink for good."""
        for attempt in range(5):
            if self.closed:
                return
            try:
                worker = self._spawn(lane or FAST)
            except (RuntimeError, OSError):
                time.sleep(0.5 * (attempt + 1))
                continue
            with self._lock:
                if not self.closed:
                    if lane is None:
                        self.spare.append(worker)
                    else:
                        self.lanes[lane].idle.append(worker)
                        self.lanes[lane].dispatch()
                    return
            self._stop(worker)
            return

    @staticmethod
    def _stop(worker: Worker) -> None:
        worker.process.kill()
        worker.process.join(5)
        worker.conn.close()

    def counts(self) -> dict[str, int]:
        """Idle workers and running queries per lane, for /health."""
        with self._lock:
            return {f"{name}_{what}": value for name, lane in self.lanes.items()
                    for what, value in (("idle", len(lane.idle)), ("running", sum(lane.running.values())),
                                        ("waiting", sum(len(t) for t in lane.waiting.values())))}

    def close(self) -> None:
        with self._lock:
            self.closed = True
            idle = [w for lane in self.lanes.values() for w in lane.idle] + self.spare
            for lane in self.lanes.values():
                lane.idle.clear()
            self.spare = []
        for worker in idle:
            worker.conn.close()
            worker.process.kill()
            worker.process.join(5)
