from django.core.exceptions import ValidationError

from .codes import clean_uscc


def validate_uscc(value):
    try:
        clean_uscc(value)
    except ValueError as e:
        raise ValidationError(str(e)) from None
