"""Settings for chibo, read from the environment (django-environ).

Defaults are safe for production (DEBUG off, secure cookies); the Makefile and
tests set what a developer machine needs. With nothing set, the database is a
SQLite file under var/, so the app runs with nothing else installed.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False) if (BASE_DIR / ".env").exists() else None

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-dev-only-key-change-me" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_htmx",
    "simple_history",
    "import_export",
    "chibo.apps.AxesConfig",  # django-axes, named in Vietnamese
    "django_tasks",
    "chibo.apps.TasksDatabaseConfig",  # django-tasks-db, named in Vietnamese
    "chibo",
    "organizations",
    "members",
    # Documents in PDF and .docx, and each committee's own .docx templates.
    "documents",
    # The tree's pages and the writes that change units and members together
    # (restructures that move members, committee seats): above both.
    "structure",
    "meetings",
    # Annual review and rating: its own app (rule sets per regulation year,
    # cycles, votes, decisions) rather than more of members/.
    "reviews",
    # Party dues by regulation (rule sets, categories and bases, reliefs,
    # the monthly sheet, the dues book, shares and remittance): above meetings.
    "dues",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy (django-csp): see CONTENT_SECURITY_POLICY below
    "chibo.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "chibo.replica.ReplicaMiddleware",  # reads that may go to the replica (if any)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # control characters dropped, NUL refused, oversized ids 404, unique
    # violations shown as the form's message (chibo/middleware.py)
    "chibo.middleware.HostileInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy: everything from this site only, no inline script
# or style (the pages' JavaScript is static/js/chibo.js, their styles
# static/css/chibo.css), no frames, forms posting only here. The admin site
# alone may use Django's own inline styles (chibo.middleware.CSPMiddleware).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

ROOT_URLCONF = "chibo.urls"
WSGI_APPLICATION = "chibo.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "chibo.imports.context_processors.imports",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'chibo.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )

# A streaming replica for the pages that only read (chibo/replica.py):
# reports, exports made by the worker, the long read-only lists. Writes, and
# the reads of a browser for CHIBO_REPLICA_PIN_SECONDS after it wrote, go to
# the primary.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASE_ROUTERS = ["chibo.replica.ReplicaRouter"]
CHIBO_REPLICA_PIN_SECONDS = env.int("CHIBO_REPLICA_PIN_SECONDS", default=10)
CHIBO_REPLICA_VIEWS = [
    # reports and their files
    "reports:catalogue",
    "reports:report",
    "reports:submission",
    # the long read-only lists (the member list's export is the same view)
    "members:list",
    "members:due",
    "meetings:tracker",
    "reviews:results",
    "dues:due",
    "organizations:tree",
    "organizations:unit_as_of",
    "organizations:warnings",
    # the other exports: made at once from the replica, or queued (a write,
    # after which the request reads from the primary)
    "reviews:cycle_vote_pdf",
    "reviews:cycle_vote_docx",
    "reviews:cycle_decision_pdf",
    "reviews:cycle_decision_docx",
    "dues:book",
    "dues:remittance",
]

# The figures the home and unit pages share between users (chibo/cache.py):
# each process keeps its own, keyed by the data version, so no cache server
# is needed and a write anywhere is seen at once. Seconds kept; 0: off.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": env.int("CHIBO_CACHE_ENTRIES", default=2000)},
    }
}
CHIBO_FIGURES_SECONDS = env.int("CHIBO_FIGURES_SECONDS", default=120)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "chibo.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Wrong log-ins are limited per user name and address (django-axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)  # hours
# Both: guesses at one account from one address, and at one account from any
# number of addresses (a botnet gets no fresh guesses per address).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

LANGUAGE_CODE = "vi"
# Vietnamese only until another language's catalogue exists: otherwise a
# browser asking for English would get Django's own messages in English
# beside ours in Vietnamese.
LANGUAGES = [("vi", _("Tiếng Việt"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["chibo.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Files made in the background (big exports, reports, documents): one
    # folder shared by every web server and db_worker (an NFS mount, or set
    # GENERATED_FILES_BACKEND to an object store's storage class). Never
    # served directly: downloads go through the access check.
    "generated": {
        "BACKEND": env.str(
            "GENERATED_FILES_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": {
            "location": str(
                env.path("GENERATED_FILES_ROOT", default=BASE_DIR / "var" / "generated")
            )
        },
    },
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Uploads: a spreadsheet larger than this is refused before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
CHIBO_MAX_UPLOAD_BYTES = env.int("CHIBO_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# ... and an XLSX that would expand beyond this, or declares more rows, is
# refused from its zip directory before any of it is expanded (a zip bomb).
CHIBO_MAX_UNCOMPRESSED_BYTES = env.int("CHIBO_MAX_UNCOMPRESSED_BYTES", default=200 * 1024 * 1024)
CHIBO_IMPORT_MAX_ROWS = env.int("CHIBO_IMPORT_MAX_ROWS", default=300_000)
# A roster import reads, checks and writes this many rows at a time, in its
# one transaction (all or nothing): the memory it needs does not grow with
# the file (chibo.imports.ImportKind.streams).
CHIBO_IMPORT_CHUNK_ROWS = env.int("CHIBO_IMPORT_CHUNK_ROWS", default=2000)
# Uploaded files are kept this many days, then emptied (the import's record,
# its outcome and its rows' messages stay): `manage.py purge_generated_files`.
CHIBO_IMPORT_KEEP_DAYS = env.int("CHIBO_IMPORT_KEEP_DAYS", default=30)
# An import "running" with no progress report for this long lost its worker:
# marked failed, with a "Làm lại" button (chibo.imports.import_reap).
CHIBO_IMPORT_STALE_MINUTES = env.int("CHIBO_IMPORT_STALE_MINUTES", default=10)

# Background work (large imports, big PDFs): django-tasks with its database
# backend; run `python manage.py db_worker` beside the web server.
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
    }
}

# Exports and documents: up to this many rows (estimated before any work) a
# file is made inside the request; above it, by the background worker, with a
# progress page and a download link. PDFs and Word files cost far more per row
# than spreadsheets. A finished file is kept CHIBO_EXPORT_KEEP_HOURS and
# reused while the data it was made from has not changed; a job queued or
# running for longer than CHIBO_EXPORT_STALE_MINUTES is taken as lost (its
# worker died) and made again. `manage.py purge_generated_files` deletes the
# expired ones (run it hourly or daily).
CHIBO_EXPORT_BACKGROUND_ROWS = {
    "pdf": env.int("CHIBO_EXPORT_BACKGROUND_ROWS_PDF", default=200),
    "docx": env.int("CHIBO_EXPORT_BACKGROUND_ROWS_DOCX", default=200),
    "*": env.int("CHIBO_EXPORT_BACKGROUND_ROWS", default=5000),
}
# A report page for a unit of more units than this (a nation: 17,000 for
# three provinces) is worked out by the background worker, the page showing
# its progress and then the table; a province (5,800 units) stays in the
# request. 0: never.
CHIBO_REPORT_PAGE_BACKGROUND_UNITS = env.int("CHIBO_REPORT_PAGE_BACKGROUND_UNITS", default=10000)
# the official forms read every member's history and profile on their days:
# a province's (5,800 units) goes to the worker too, a ward's stays
CHIBO_FORM_PAGE_BACKGROUND_UNITS = env.int("CHIBO_FORM_PAGE_BACKGROUND_UNITS", default=2000)
CHIBO_EXPORT_KEEP_HOURS = env.float("CHIBO_EXPORT_KEEP_HOURS", default=24)
CHIBO_EXPORT_STALE_MINUTES = env.int("CHIBO_EXPORT_STALE_MINUTES", default=60)

# PDFs: a report with more table rows than this is set by Typst, not WeasyPrint
# (bench/bench_pdf.py), with only these fonts: Liberation Serif from Debian's
# fonts-liberation2 (Times metrics and Vietnamese; fonts-liberation 1.07 has no
# Vietnamese), DejaVu for any glyph it lacks.
CHIBO_PDF_TYPST_ROWS = env.int("CHIBO_PDF_TYPST_ROWS", default=150)
CHIBO_TYPST_FONT_PATHS = env.list(
    "CHIBO_TYPST_FONT_PATHS",
    default=["/usr/share/fonts/truetype/liberation2", "/usr/share/fonts/truetype/dejavu"],
)

# Production safety: on unless DEBUG. Behind a TLS proxy set SECURE_PROXY_SSL_HEADER.
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}

# Party rules that are settings rather than regulation: congress term per level
# in months (a cell's congress is twice in 5 years: 30 months).
CHIBO_TERM_MONTHS = {
    "provincial": 60,
    "district": 60,
    "bloc": 60,
    "grassroots_committee": 60,
    "grassroots_cell": 60,
    "cell": 30,
    "party_group": 30,
}
