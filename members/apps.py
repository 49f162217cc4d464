from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("Đảng viên")

    def ready(self):
        # imported once the apps are loaded (their modules read models)
        from chibo.imports import register
        from members.award_imports import AwardsDisciplineKind
        from members.imports import RosterKind

        register(RosterKind())
        register(AwardsDisciplineKind())
        # the member counts per unit follow every history row written
        from members import counts

        counts.connect()
        # the kinds of file this app exports, for the pages and the worker
        from members import exports  # noqa: F401
