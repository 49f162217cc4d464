from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo thống kê")

    def ready(self):
        # the kinds of file this app exports, for the pages and the worker
        # a report as a document (PDF and .docx)
        from reports import (
            documents,  # noqa: F401
            exports,  # noqa: F401
        )

        # the official statistics forms join the catalogue
        from reports.statforms import register_all

        register_all()
