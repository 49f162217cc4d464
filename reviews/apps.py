from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Đánh giá, xếp loại")

    def ready(self):
        # imported once the apps are loaded (their modules read models): the
        # kinds of file this app exports, for the pages and the worker; the
        # review's sheets and lists as documents (PDF and .docx); past
        # ratings as a kind of import
        from chibo.imports import register
        from reviews import (
            documents,  # noqa: F401
            exports,  # noqa: F401
        )
        from reviews.imports import PastRatingsKind

        register(PastRatingsKind())
