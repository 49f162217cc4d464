from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "organizations"
    verbose_name = _("Tổ chức đảng")

    def ready(self):
        # imported once the apps are loaded (their modules read models)
        from chibo.imports import register
        from organizations.imports import UnitTreeKind

        register(UnitTreeKind())
