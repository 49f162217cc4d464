"""Shared context for `seed_demo`: every app may have a `demo.py` with
`build(ctx)` (the small demo) and `build_province(ctx)` (the benchmark scale);
they run in INSTALLED_APPS order, so organizations come before members,
members before meetings, and so on. `resume(ctx)` fills `ctx.data` from a
database that already holds the small demo, for the province phases."""

import os
import random
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from faker import Faker

SEED = 2026
PASSWORD = "chibo-demo"


@dataclass
class DemoContext:
    scale: str = "small"
    # the national scale (`--scale million`): how many provinces, and how many
    # grassroots organizations in each (a test builds a tiny one)
    provinces: int = 10
    grassroots: int = 1000
    today: date = field(default_factory=date.today)
    out: object = None
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    faker: Faker = field(default_factory=lambda: Faker("vi_VN"))
    # filled by the builders, read by later ones
    data: dict = field(default_factory=dict)
    # names and streets to draw from instead of Faker (`use_pools`)
    pools: dict = field(default_factory=dict)
    # (phase, seconds, rows) of the timed phases, for the table at the end
    timings: list = field(default_factory=list)

    def __post_init__(self):
        self.faker.seed_instance(SEED)

    def reseed(self, part: str) -> None:
        """Start `part` of the demo from its own fixed seed, so that it comes
        out the same whatever was built before it (the province after the
        small demo in one run, or in a later run on top of it)."""
        seed = f"{SEED}-{part}"
        self.rng.seed(seed)
        self.faker.seed_instance(seed)

    def say(self, text: str) -> None:
        if self.out is not None:
            self.out.write(text)

    @contextmanager
    def timed(self, label: str):
        """Time a phase of the build and print its seconds and rows a second
        (the block sets `tally["rows"]`), as the national scale's table does."""
        tally = {"rows": 0}
        self.timed_start(label)
        yield tally
        self.timed_stop(tally["rows"])

    def timed_start(self, label: str) -> None:
        """`timed` for a phase that ends outside the block it starts in (the
        indexes made again as `indexes_deferred` closes)."""
        self._started = (label, clock())

    def timed_stop(self, rows: int = 0) -> None:
        label, started = self._started
        spent = Spent.since(label, started, rows)
        self.timings.append(spent)
        self.say(f"    {spent.line()}\n")

    def use_pools(self, size: int = 4000) -> None:
        """Draw names, streets and home towns from pools filled once by Faker:
        Faker takes about 2 ms a member, half an hour for a million (the
        national scale); the pools give as varied a list in a minute."""
        f = self.faker
        self.pools = {
            "last": [f.last_name() for _ in range(size // 10)],
            "M": [f.first_name_male() for _ in range(size // 10)],
            "F": [f.first_name_female() for _ in range(size // 10)],
            "street": [f.street_address() for _ in range(size)],
            "province": [f.province() if hasattr(f, "province") else "" for _ in range(200)],
        }

    def street_address(self) -> str:
        pools = self.pools
        return self.rng.choice(pools["street"]) if pools else self.faker.street_address()

    def home_town(self) -> str:
        pools = self.pools
        if pools:
            return self.rng.choice(pools["province"])
        return self.faker.province() if hasattr(self.faker, "province") else ""

    def person_name(self, gender: str) -> str:
        f = self.faker
        pools = self.pools
        if pools:
            choice = self.rng.choice
            middle = ["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công"]
            if gender != "M":
                middle = ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh"]
            return f"{choice(pools['last'])} {choice(middle)} {choice(pools[gender])}"
        if gender == "M":
            middle = self.rng.choice(["Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công"])
            return f"{f.last_name()} {middle} {f.first_name_male()}"
        middle = self.rng.choice(["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh"])
        return f"{f.last_name()} {middle} {f.first_name_female()}"

    def day_between(self, start: date, end: date) -> date:
        span = max((end - start).days, 0)
        return start + timedelta(days=self.rng.randint(0, span))


@dataclass(frozen=True)
class Spent:
    """A phase's wall time, the CPU time of this process (and of any worker
    processes it ended) and of its database server process (None when the
    server runs on another machine), and rows."""

    label: str
    wall: float
    python: float
    database: float | None
    rows: int = 0

    @classmethod
    def since(cls, label: str, started: tuple, rows: int = 0) -> "Spent":
        """From a `clock()` taken at the start until now."""
        now = clock()
        wall, python, database = (
            None if a is None or b is None else b - a for a, b in zip(started, now, strict=True)
        )
        return cls(label, wall, python, database, rows)

    def line(self, width: int = 0) -> str:
        db = f"{self.database:6.1f}" if self.database is not None else "     –"
        rate = f"{self.rows / self.wall:>10,.0f}" if self.rows and self.wall > 0 else " " * 10
        return (
            f"{self.label:<{width}} {self.wall:7.1f} {self.python:7.1f} {db} "
            f"{self.rows:>11,} {rate}"
        )


HEADER = "bước · giây · CPU Python · CPU PostgreSQL · dòng · dòng/giây"


def clock() -> tuple[float, float, float | None]:
    """(wall, this process's CPU, the database server process's CPU) in
    seconds: the wall time alone cannot tell a slow step from a busy machine."""
    # with any worker processes a phase started, once they have ended
    children = os.times()
    python = time.process_time() + children.children_user + children.children_system
    return time.monotonic(), python, _server_cpu()


def _server_cpu() -> float | None:
    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            (pid,) = cursor.fetchone()
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None  # another machine's server, or no /proc
