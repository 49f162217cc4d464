from django.db.models.functions import Length

from documents.models import DocumentTemplate
from organizations.models import Unit


def template_in_use(kind: str, unit: Unit | None) -> DocumentTemplate | None:
    """The replacement .docx template for `kind` that applies to `unit`: the
    one of the nearest committee up the tree (the unit itself first) that has
    one in use; None: the shipped default."""
    if unit is None:
        return None
    return (
        DocumentTemplate.objects.filter(
            kind=kind, retired_at__isnull=True, unit_id__in=[unit.pk, *unit.ancestor_ids()]
        )
        .annotate(depth=Length("unit__path"))
        .order_by("-depth", "-uploaded_at")
        .first()
    )
