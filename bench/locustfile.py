"""The users of bench/bench_load.py (run by it; not a Django script: locust
patches the standard library with gevent, so this file imports nothing of
chibo). Ward staff and a board user log in and browse a mix of pages; any
answer other than 200 is a failure, which bench_load reports loudly.

The unit ids come from the environment (bench_load.py looks them up):
CHIBO_PROVINCE, CHIBO_WARD, CHIBO_CELL, CHIBO_YEAR, and the session of each
user, CHIBO_SESSION_<username>; CHIBO_FLOOR=1 runs the floor instead (the
log-in page, logged out)."""

import os

from locust import HttpUser, between, task

PROVINCE = os.environ.get("CHIBO_PROVINCE", "1")
WARD = os.environ.get("CHIBO_WARD", "2")
CELL = os.environ.get("CHIBO_CELL", "3")
YEAR = os.environ.get("CHIBO_YEAR", "2025")
FLOOR = os.environ.get("CHIBO_FLOOR") == "1"


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

    def page(self, url, name):
        with self.client.get(
            url, name=name, catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                response.failure(f"{url} answered {response.status_code}")


class WardStaff(Browser):
    weight = 3
    username = "ward1"

    @task(3)
    def home(self):
        self.page("/", "home")

    @task(3)
    def ward(self):
        self.page(f"/to-chuc/{WARD}/", "unit page (ward)")

    @task(2)
    def cell(self):
        self.page(f"/to-chuc/{CELL}/", "unit page (cell)")

    @task(3)
    def members(self):
        self.page("/dang-vien/", "member list")

    @task(2)
    def search(self):
        self.page("/dang-vien/?q=nguyen", "member search")

    @task(2)
    def tracker(self):
        self.page("/sinh-hoat/", "meetings tracker")

    @task(1)
    def report(self):
        self.page(f"/bao-cao/structure/{WARD}/", "report structure (ward)")


class Board(Browser):
    weight = 1
    username = "board"

    @task(3)
    def home(self):
        self.page("/", "home (board)")

    @task(2)
    def province(self):
        self.page(f"/to-chuc/{PROVINCE}/", "unit page (province)")

    @task(1)
    def province_page(self):
        self.page(f"/to-chuc/{PROVINCE}/?page=3", "unit page (province, page 3)")

    @task(1)
    def results(self):
        self.page(f"/danh-gia/ket-qua/{PROVINCE}/?year={YEAR}", "review results (province)")

    @task(1)
    def structure(self):
        self.page(f"/bao-cao/structure/{PROVINCE}/", "report structure (province)")

    @task(1)
    def inbox(self):
        self.page("/bao-cao/cho-duyet/", "inbox")


class Floor(HttpUser):
    """The framework and the base template alone: the log-in page, logged out."""

    abstract = not FLOOR
    wait_time = between(0.1, 0.5)

    @task
    def login_page(self):
        with self.client.get("/dang-nhap/", name="floor", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")


if FLOOR:
    WardStaff.abstract = Board.abstract = True
