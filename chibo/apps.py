from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChiboConfig(AppConfig):
    name = "chibo"
    verbose_name = _("Hệ thống")
