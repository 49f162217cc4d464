"""The pages of bench/bench_load.py's mix, in one place: locust browses them
(bench/locustfile.py) and bench_load.py first measures each alone with the
test client (CPU ms, queries, KB), so a slow page in the load run can be told
from a busy machine. Plain data, no imports: locustfile.py must not import
Django (locust patches the standard library with gevent).

Each page: (user, name, address, weight). The address's {province}, {ward},
{cell} and {year} are the ids bench_load.py looks up."""

# ward staff are 3 of 4 users, the board 1 of 4
USER_WEIGHTS = {"ward1": 3, "board": 1}

PAGES = [
    ("ward1", "home", "/", 3),
    ("ward1", "unit page (ward)", "/to-chuc/{ward}/", 3),
    ("ward1", "unit page (cell)", "/to-chuc/{cell}/", 2),
    ("ward1", "member list", "/dang-vien/", 3),
    ("ward1", "member search", "/dang-vien/?q=nguyen", 2),
    ("ward1", "meetings tracker", "/sinh-hoat/", 2),
    ("ward1", "report structure (ward)", "/bao-cao/structure/{ward}/", 1),
    ("board", "home (board)", "/", 3),
    ("board", "unit page (province)", "/to-chuc/{province}/", 2),
    ("board", "unit page (province, page 3)", "/to-chuc/{province}/?page=3", 1),
    ("board", "review results (province)", "/danh-gia/ket-qua/{province}/?year={year}", 1),
    ("board", "report structure (province)", "/bao-cao/structure/{province}/", 1),
    ("board", "inbox", "/bao-cao/cho-duyet/", 1),
]

# the floor: the framework and the base template alone (logged out), and a
# static file through the same gunicorn (whitenoise)
FLOOR_PAGE = ("floor: log-in page", "/dang-nhap/")
FLOOR_STATIC = ("floor: static file", "/static/css/chibo.css")
