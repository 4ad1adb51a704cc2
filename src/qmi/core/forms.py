"""Form helpers shared by every app's views."""


def apply_errors(form, error):
    """Put a service's ValidationError next to its field, or above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
