"""Shared fixtures: a small tree and the personas every access test uses.

tree: province
        ├── ward1 (grassroots committee) ── cell1a (residential), cell1b (agency)
        └── ward2 (grassroots committee) ── cell2a (residential)
"""

from types import SimpleNamespace

import pytest

from organizations.models import Category, Level, Role
from tests.factories import UserFactory, grant, make_member, make_unit


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        # files made in the background go to this test's own folder
        "generated": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "generated")},
        },
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def tree(db):
    province = make_unit("Đảng bộ tỉnh Thử", level=Level.PROVINCIAL)
    ward1 = make_unit("Đảng bộ phường Một", level=Level.GRASSROOTS_COMMITTEE, parent=province)
    ward2 = make_unit("Đảng bộ xã Hai", level=Level.GRASSROOTS_COMMITTEE, parent=province)
    cell1a = make_unit("Chi bộ khu phố 1", parent=ward1, category=Category.RESIDENTIAL)
    cell1b = make_unit("Chi bộ cơ quan phường", parent=ward1, category=Category.AGENCY)
    cell2a = make_unit("Chi bộ ấp 1", parent=ward2, category=Category.VILLAGE)
    members = SimpleNamespace(
        m1a=[make_member(cell1a) for _ in range(3)],
        m1b=[make_member(cell1b) for _ in range(2)],
        m2a=[make_member(cell2a) for _ in range(4)],
    )
    return SimpleNamespace(
        province=province,
        ward1=ward1,
        ward2=ward2,
        cell1a=cell1a,
        cell1b=cell1b,
        cell2a=cell2a,
        members=members,
    )


@pytest.fixture
def board(tree):
    user = UserFactory(username="board")
    grant(user, tree.province, Role.Kind.REVIEWER)
    return user


@pytest.fixture
def ward1_staff(tree):
    user = UserFactory(username="ward1")
    grant(user, tree.ward1, Role.Kind.STAFF)
    return user


@pytest.fixture
def ward2_staff(tree):
    user = UserFactory(username="ward2")
    grant(user, tree.ward2, Role.Kind.STAFF)
    return user


@pytest.fixture
def cell_secretary(tree):
    user = UserFactory(username="secretary1")
    grant(user, tree.cell1a, Role.Kind.SECRETARY)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def admin_user(tree):
    user = UserFactory(username="admin")
    user.is_superuser = user.is_staff = True
    user.save()
    return user
