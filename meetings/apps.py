from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Sinh hoạt chi bộ")

    def ready(self):
        # imported once the apps are loaded (their modules read models): the
        # minutes and the resolution as documents (PDF and .docx), the
        # attendance sheet as a kind of import
        from chibo.imports import register
        from meetings import documents  # noqa: F401
        from meetings.imports import AttendanceSheetKind

        register(AttendanceSheetKind())
