from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StructureConfig(AppConfig):
    name = "structure"
    verbose_name = _("Tổ chức đảng và đảng viên")

    def ready(self):
        # imported once the apps are loaded (their modules read models)
        from chibo.imports import register
        from structure.imports import CommunityPostsKind, SeatsKind
        from structure.plan_import import RestructurePlanKind

        register(SeatsKind())
        register(CommunityPostsKind())
        register(RestructurePlanKind())
