"""Backup and restore: the whole database and the files beside it, in one
.tar.gz, the same on SQLite and PostgreSQL (`manage.py backup`, `restore`).

The archive holds `data.xml` (every table, through Django's XML serialiser:
the JSON one cuts times to milliseconds; loads into any freshly migrated
database of the same version), the files made in the background
(STORAGES["generated"]) and uploaded media (MEDIA_ROOT), and `manifest.json`
with every table's row count, checked after a restore. For a province's
database (millions of rows) a `pg_dump -Fc` is faster; README says how.
"""

import io
import json
import os
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction

# Made again by migrate, or worthless in another database.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]


def _models():
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in EXCLUDED or label in EXCLUDED:
            continue
        if model._meta.proxy or not model._meta.managed:
            continue
        yield model


def row_counts() -> dict[str, int]:
    return {m._meta.label_lower: m._default_manager.count() for m in _models()}


def _folders() -> dict[str, Path]:
    generated = settings.STORAGES.get("generated", {}).get("OPTIONS", {}).get("location")
    out = {"media": Path(settings.MEDIA_ROOT)}
    if generated:
        out["generated"] = Path(generated)
    return out


def backup(path: str | Path) -> dict[str, int]:
    """Write the archive to `path`; returns the row counts it holds."""
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.xml"
        with transaction.atomic():  # one consistent snapshot (PostgreSQL)
            counts = row_counts()
            call_command(
                "dumpdata",
                *[m._meta.label for m in _models()],
                format="xml",
                output=str(data),
                verbosity=0,
            )
        with tarfile.open(path, "w:gz") as tar:
            tar.add(data, arcname="data.xml")
            manifest = json.dumps({"counts": counts}, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(manifest)
            tar.addfile(info, io.BytesIO(manifest))
            for name, folder in _folders().items():
                if folder.is_dir():
                    tar.add(folder, arcname=name)
    return counts


class RestoreError(Exception):
    pass


def restore(path: str | Path, *, replace: bool = False) -> dict[str, int]:
    """Load the archive at `path` into this (migrated) database and put its
    files back. Refuses a database that holds data unless `replace`; checks
    every table's row count against the manifest."""
    with tarfile.open(path, "r:gz") as tar, tempfile.TemporaryDirectory() as tmp:
        tar.extractall(tmp, filter="data")
        manifest = json.loads((Path(tmp) / "manifest.json").read_text())
        if any(row_counts().values()) and not replace:
            raise RestoreError(
                "Cơ sở dữ liệu này đã có dữ liệu; dùng --replace để xóa hết rồi khôi phục."
            )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # deferred foreign-key checks still pending from earlier writes
                # in this transaction would make TRUNCATE refuse: run them now
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            call_command("flush", interactive=False, verbosity=0)
            if connection.vendor == "postgresql":
                # and deferred again, so the fixture's forward references load
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            call_command("loaddata", str(Path(tmp) / "data.xml"), verbosity=0)
            counts = row_counts()
            expected = manifest["counts"]
            wrong = {k: (expected.get(k), v) for k, v in counts.items() if expected.get(k, 0) != v}
            if wrong:
                raise RestoreError(f"Số dòng sau khi khôi phục không khớp: {wrong}")
        for name, folder in _folders().items():
            source = Path(tmp) / name
            if source.is_dir():
                for item in source.rglob("*"):
                    if item.is_file():
                        target = folder / item.relative_to(source)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        os.replace(item, target)
    return counts
