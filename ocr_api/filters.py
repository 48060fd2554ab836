"""Filters every list shares."""

import datetime

import django_filters
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters
from rest_framework.exceptions import ValidationError


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


#: The integers the databases store (a 64-bit signed column): a number filter outside them is a
#: 400, not the database's overflow error answered as a 500.
DATABASE_INTEGERS = (-(2**63), 2**63 - 1)


class FixedFilterSet(django_filters.FilterSet):
    """A FilterSet whose filters do not depend on the request or the queryset: its form class is
    built once per class, not on every request (django-filter makes a new class each time, which
    was a tenth of a list request's time). Its number filters accept what the database can compare
    (DATABASE_INTEGERS)."""

    def get_form_class(self):
        cls = type(self)
        form_class = cls.__dict__.get("_fixed_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            for field in form_class.base_fields.values():
                if isinstance(field, forms.DecimalField):
                    field.validators += [
                        MinValueValidator(DATABASE_INTEGERS[0]),
                        MaxValueValidator(DATABASE_INTEGERS[1]),
                    ]
            cls._fixed_form_class = form_class
        return form_class


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which a request carrying none of the filterset's parameters skips:
    it would build and validate a form to filter nothing (a fifth of a list request's time). Each
    filter here is one query parameter named as the filter (no ranges split in two)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not set(request.query_params).intersection(filterset_class.base_filters):
            return queryset
        return super().filter_queryset(request, queryset, view)


class OrderingFilter(filters.OrderingFilter):
    """DRF's `ordering`, refusing what it cannot order by: DRF drops an unknown field silently and
    answers in the default order, which reads as an ordering that worked."""

    def get_ordering(self, request, queryset, view):
        requested = request.query_params.get(self.ordering_param)
        if requested:
            allowed = {name for name, _ in self.get_valid_fields(queryset, view, {"request": request})}
            unknown = [term.strip() for term in requested.split(",") if term.strip().lstrip("-") not in allowed]
            if unknown:
                raise ValidationError(
                    {
                        self.ordering_param: [
                            f"Cannot order by {unknown[0]!r}: use {', '.join(sorted(allowed))}, "
                            "each with - before it for descending."
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)
