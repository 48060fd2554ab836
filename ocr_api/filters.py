"""Filters every list shares."""

import datetime

import django_filters
from django import forms


class UtcDateTimeField(forms.DateTimeField):
    """An ISO 8601 date-time, turned into UTC before it reaches the database.

    Python accepts offsets up to ±23:59, PostgreSQL only up to ±15:59: in UTC every valid date-time
    can be compared, and one that falls outside the representable years is a clear 400.
    """

    def to_python(self, value):
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(
                "Enter a date-time within the years 1 to 9999 in UTC.", code="invalid"
            ) from None


class UtcDateTimeFilter(django_filters.DateTimeFilter):
    field_class = UtcDateTimeField
