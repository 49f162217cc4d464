"""Settings for the test suite: the real settings, with a throwaway key.
DATABASE_URL still chooses SQLite (default) or PostgreSQL."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1,testserver")

from chibo.settings import *  # noqa: E402,F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AXES_VERBOSE = False
# factories write rows without an audit event: no shared figures kept between
# requests, except in the cache's own tests (tests/chibo/test_figures_cache.py)
CHIBO_FIGURES_SECONDS = 0
# The live server's request threads must not keep connections open, or the
# PostgreSQL test database cannot be dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# A second way into the same test database, for the replica router's tests
# (tests/chibo/test_replica.py installs the router; no other test uses it).
if "replica" not in DATABASES:  # noqa: F405
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
