from django.core.exceptions import ValidationError


class ServiceError(ValidationError):
    """A business rule refused the action; the message is for the user, in Vietnamese."""
