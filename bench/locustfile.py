"""The users of bench/bench_load.py (run by it; not a Django script: locust
patches the standard library with gevent, so this file imports nothing of
chibo). Ward staff and a board user browse the mix of pages in
bench/load_mix.py; any answer other than 200 is a failure, which bench_load
reports loudly.

The unit ids come from the environment (bench_load.py looks them up):
CHIBO_PROVINCE, CHIBO_WARD, CHIBO_CELL, CHIBO_YEAR, and the session of each
user, CHIBO_SESSION_<username>; CHIBO_FLOOR=1 runs the floor instead (the
log-in page, logged out, and a static file)."""

import os

from load_mix import FLOOR_PAGE, FLOOR_STATIC, PAGES, USER_WEIGHTS
from locust import HttpUser, between

IDS = {
    "province": os.environ.get("CHIBO_PROVINCE", "1"),
    "ward": os.environ.get("CHIBO_WARD", "2"),
    "cell": os.environ.get("CHIBO_CELL", "3"),
    "year": os.environ.get("CHIBO_YEAR", "2025"),
}
FLOOR = os.environ.get("CHIBO_FLOOR") == "1"


def get(user, url, name):
    with user.client.get(url, name=name, catch_response=True, allow_redirects=False) as response:
        if response.status_code != 200:
            # 0: no answer at all (the connection failed: say how)
            why = f" ({response.error!r})" if response.status_code == 0 else ""
            response.failure(f"{url} answered {response.status_code}{why}")


def page_task(url, name):
    def task(user):
        get(user, url, name)

    task.__name__ = name
    return task


class Browser(HttpUser):
    abstract = True
    wait_time = between(0.1, 0.5)
    username = ""

    def on_start(self):
        # logged in beforehand by bench_load.py (a session, as force_login
        # makes): the figures are of the browsing, not of password hashing
        self.client.cookies.set(
            "sessionid",
            os.environ[f"CHIBO_SESSION_{self.username}"],
            domain=self.host.split("//")[1].split(":")[0],
            path="/",
        )


def browser(username: str) -> type:
    tasks = {
        page_task(url.format(**IDS), name): weight
        for user, name, url, weight in PAGES
        if user == username
    }
    return type(
        f"Browser_{username}",
        (Browser,),
        {
            "username": username,
            "weight": USER_WEIGHTS[username],
            "tasks": tasks,
            "abstract": FLOOR,
        },
    )


WardStaff = browser("ward1")
Board = browser("board")


class Floor(HttpUser):
    """The framework and the base template alone (the log-in page, logged
    out), and a static file through the same gunicorn."""

    abstract = not FLOOR
    wait_time = between(0.1, 0.5)
    tasks = {
        page_task(FLOOR_PAGE[1], FLOOR_PAGE[0]): 1,
        page_task(FLOOR_STATIC[1], FLOOR_STATIC[0]): 1,
    }
