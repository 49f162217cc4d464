"""`may_import` for the main menu: whether the user may import any kind
(asked only when a page shows the menu)."""

from django.utils.functional import SimpleLazyObject

from chibo.imports.kinds import kinds_for


def imports(request) -> dict:
    user = getattr(request, "user", None)

    def may_import() -> bool:
        return bool(user is not None and user.is_authenticated and kinds_for(user))

    return {"may_import": SimpleLazyObject(may_import)}
