import axes.apps
import django_tasks_db.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChiboConfig(AppConfig):
    name = "chibo"
    verbose_name = _("Hệ thống")

    def ready(self):
        # the kinds of file chibo itself exports, for the pages and the worker
        from chibo.imports import exports  # noqa: F401


# Third-party apps under Vietnamese names in the admin (their own configs name
# them in English and mark nothing for translation).
class AxesConfig(axes.apps.AppConfig):
    verbose_name = _("Đăng nhập sai, khóa tài khoản")


class TasksDatabaseConfig(django_tasks_db.apps.TasksAppConfig):
    verbose_name = _("Việc chạy nền")
