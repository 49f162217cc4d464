"""The official statistics forms (biểu mẫu thống kê cơ bản): see base.py."""


def register_all() -> None:
    """Import the forms, which register themselves in the catalogue."""
    from reports.statforms import badges, movement, organizations, profile  # noqa: F401
