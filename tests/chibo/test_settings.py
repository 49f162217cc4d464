import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from django.conf import settings
from django.template import Context, Template
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env_extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "a-long-random-production-secret-" + "x7Kq9!pZ" * 6,
    "ALLOWED_HOSTS": "chibo.example.vn",
    "CSRF_TRUSTED_ORIGINS": "https://chibo.example.vn",
}


def test_check_deploy_is_silent_with_the_documented_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = dict(PRODUCTION)
    env.pop("SECRET_KEY")
    result = _manage("check", env_extra=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_database_defaults_to_a_sqlite_file_and_postgres_urls_use_psycopg():
    import environ

    assert environ.Env.db_url_config("postgres://u:p@127.0.0.1:5432/chibo")["ENGINE"] == (
        "django.db.backends.postgresql"
    )
    if "DATABASE_URL" not in os.environ:
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


def test_the_app_speaks_vietnamese_in_ho_chi_minh_time_with_dd_mm_yyyy_dates():
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    with translation.override("vi"):
        rendered = Template("{{ d|date:'SHORT_DATE_FORMAT' }} {{ d|date }}").render(
            Context({"d": date(2025, 7, 1)})
        )
    assert rendered == "01/07/2025 01/07/2025"


def test_no_template_or_stylesheet_loads_anything_from_the_internet():
    offenders = []
    for folder in (
        "templates",
        "static",
        "organizations",
        "members",
        "meetings",
        "reports",
        "chibo",
    ):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".html", ".css") and path.is_file():
                text = path.read_text(encoding="utf-8")
                if "http://" in text or "https://" in text or "//cdn" in text:
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_a_browser_asking_for_english_still_gets_vietnamese_messages(client, db):
    response = client.post(
        "/dang-nhap/", {"username": "", "password": ""}, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )
    html = response.content.decode()
    assert "Trường này là bắt buộc." in html
    assert "This field is required" not in html
