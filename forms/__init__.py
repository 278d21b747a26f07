"""Flask-WTF forms, one module per area."""


def form_labels(form_class) -> dict[str, str]:
    """{field name: label} of a form class, as its page shows them (without instantiating it)."""
    from wtforms.fields.core import UnboundField
    return {name: field.args[0] for name, field in vars(form_class).items()
            if isinstance(field, UnboundField) and field.args and isinstance(field.args[0], str)}
