from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuesConfig(AppConfig):
    name = "dues"
    verbose_name = _("Đảng phí")

    def ready(self):
        from chibo.imports import register
        from dues.imports import DuesPaidKind, PortalPaymentsKind

        register(DuesPaidKind())
        register(PortalPaymentsKind())
        # the kinds of file (and of document) this app makes, for the pages and the worker
        from dues import exports  # noqa: F401
