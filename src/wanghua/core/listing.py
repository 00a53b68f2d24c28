"""The list page every module reuses: scoped queryset, filters, pagination, Excel export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import ListView

from .access import has_perm_anywhere, perm_code
from .editing import style_form
from .exports import xlsx_response
from .menu import link_for


@dataclass
class Column:
    label: Any
    value: Callable[[Any], Any]
    link: Callable[[Any], str] | None = None


def attr(path: str) -> Callable[[Any], Any]:
    """Column value from an attribute path; `get_x_display` for choices is applied automatically."""

    def read(obj: Any) -> Any:
        for part in path.split("."):
            display = getattr(obj, f"get_{part}_display", None)
            obj = display() if display else getattr(obj, part, None)
            if obj is None:
                return ""
        return obj

    return read


class DictionaryLabel:
    """A column reading a stored dictionary value as its label. The dictionary is read once per page or export
    (`prepare`), not once per row."""

    def __init__(self, field: str, code: str) -> None:
        self.field, self.code = field, code

    def prepare(self) -> Callable[[Any], Any]:
        from .reference import labels

        known = labels(self.code)
        return lambda obj: known.get(getattr(obj, self.field), getattr(obj, self.field))

    def __call__(self, obj: Any) -> Any:
        return self.prepare()(obj)


def prepared(reader: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The reader to use for one page: what it needs from the database is loaded once, here."""
    prepare = getattr(reader, "prepare", None)
    return prepare() if prepare else reader


def shown(value: Any) -> Any:
    """How a cell reads on the page: yes/no for booleans, local time for timestamps."""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return date_format(timezone.localtime(value), "Y-m-d H:i")
    return value


def detail_link(obj: Any) -> str:
    return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""


class CappedPaginator(Paginator):
    """Counts at most `cap` rows, so a list over a million records never counts them all on every page.

    Past the cap the page says "10,000+" and offers the first cap / per_page pages: a user who needs more
    narrows the filter, as on any search engine."""

    cap = 10_000

    @cached_property
    def count(self) -> int:
        rows = cast("QuerySet[Any]", self.object_list)  # a list page pages a QuerySet
        return rows[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap

    @cached_property
    def num_pages(self) -> int:
        if self.capped:
            return self.cap // self.per_page
        return super().num_pages


class ScopedListView(ListView):
    """Subclasses set model, filterset_class, columns, title and (optionally) create_url."""

    template_name = "core/list.html"
    paginate_by = 25
    model: type[Any]  # every list names its model
    paginator_class = CappedPaginator
    filterset_class: type[Any] | None = None  # a django_filters.FilterSet
    columns: list[Column] = []
    title: Any = ""
    create_url: str | None = None
    action = "view"

    def base_queryset(self):
        return self.model.objects.visible_to(self.request.user, self.action)

    def get_queryset(self):
        base = self.base_queryset()
        if self.filterset_class is None:
            self.filterset = None
            return base
        self.filterset = self.filterset_class(self.request.GET or None, queryset=base, request=self.request)
        style_form(self.filterset.form)
        if self.filterset.is_bound and not self.filterset.is_valid():
            return base.none()
        return self.filterset.qs

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "xlsx":
            return self.export()
        response = super().get(request, *args, **kwargs)
        if self.filterset is not None and self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400
        return response

    def export(self):
        if not has_perm_anywhere(self.request.user, perm_code(self.model, "export")):
            raise PermissionDenied
        self.action = "export"  # the rows are those the user may export, which can be fewer than those shown
        readers = [prepared(column.value) for column in self.columns]
        rows = ([read(obj) for read in readers] for obj in self.get_queryset().iterator(2000))
        return xlsx_response(str(self.title), [str(c.label) for c in self.columns], rows, title=str(self.title))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            title=self.title,
            filter=self.filterset,
            columns=self.columns,
            rows=self._rows(context["object_list"]),
            query=query.urlencode(),
            can_export=has_perm_anywhere(self.request.user, perm_code(self.model, "export")),
            can_add=has_perm_anywhere(self.request.user, perm_code(self.model, "add")),
            create_url=self._create_url(),
        )
        return context

    def _rows(self, objects) -> list[tuple[Any, list[tuple[Any, str, Any]]]]:
        """Each row's cells as (value, link, label): the label heads the cell when a phone shows rows as cards."""
        objects = list(objects)
        self.prepare_page(objects)
        readers = [(prepared(column.value), column.link, column.label) for column in self.columns]
        user = self.request.user
        # A cell links only where the user may go: a page that would answer 403 is shown as plain text.
        return [(obj, [(shown(value(obj)), link_for(user, link(obj)) if link else "", label)
                       for value, link, label in readers]) for obj in objects]

    def prepare_page(self, objects: list) -> None:
        """Load at once what the rows of one page need beyond their queryset (a subclass's hook)."""

    def _create_url(self) -> str:
        if not self.create_url:
            return ""
        try:
            return reverse(self.create_url)
        except NoReverseMatch:
            return ""
