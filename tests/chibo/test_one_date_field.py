"""One date input everywhere: every form of the app (its own forms and the
ModelForms Django builds from date columns) takes dates, months and times
through chibo.forms' fields, which read them with the one parser
(chibo.dates) and never ask for the browser's picker."""

import importlib
import inspect

from django import forms
from django.apps import apps
from django.conf import settings

from chibo.forms import DayField, MonthField, TimeField

DATE_FIELDS = (forms.DateField, forms.DateTimeField, forms.TimeField)
OURS = (DayField, MonthField, TimeField)


def _project_forms():
    for config in apps.get_app_configs():
        path = str(config.path)
        if not path.startswith(str(settings.BASE_DIR)) or "site-packages" in path:
            continue  # the project's apps, not the libraries in its .venv
        for module_name in ("forms", "imports.forms"):
            try:
                module = importlib.import_module(f"{config.name}.{module_name}")
            except ModuleNotFoundError:
                continue
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    yield cls


def test_every_date_month_and_time_field_is_the_one_typed_field():
    found, wrong = 0, []
    for form in _project_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, OURS):
                found += 1
            elif isinstance(field, DATE_FIELDS):
                wrong.append(f"{form.__module__}.{form.__name__}.{name}")
            widget = getattr(field.widget, "input_type", "")
            assert widget not in ("date", "month", "time", "datetime-local"), (form, name)
    assert found > 10
    assert wrong == []
