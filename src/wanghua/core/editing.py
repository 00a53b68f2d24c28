"""Create/update/delete pages that call a service function: forms validate shape, services decide."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from .access import can


def perform(request, action: Callable[[], Any]) -> bool:
    """A page POST that calls one service: a missing record is 404, a refusal becomes an error message
    (nothing changed), success a confirmation. True when the service did it."""
    try:
        action()
    except ObjectDoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return False
    messages.success(request, _("Saved."))
    return True


def int_or_zero(value) -> int:
    """A form or query value as an int; 0 for anything that is not one (the caller's range check refuses it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def visible_or_404(model, request, pk):
    """A record the user may see, or 404: pages never reveal what lies outside one's scope."""
    obj = model.objects.visible_to(request.user, "view").filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def style_form(form) -> None:
    """Give every widget its Bootstrap class (forms stay plain Django forms); plain selects render fast."""
    from .widgets import fast

    for field in form.fields.values():
        fast(field)
        widget = field.widget
        kind = getattr(widget, "input_type", None)
        css = "form-check-input" if kind == "checkbox" else "form-select" if kind == "select" or hasattr(
            widget, "allow_multiple_selected") else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def _attach(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class ServiceFormView(View):
    """GET shows the form, POST validates it and calls `service`; errors come back as 400."""

    form_class: Any = None
    model: Any = None
    title: Any = ""
    template_name = "core/form.html"
    create_service: Callable[..., Any] | None = None  # service(actor, **fields)
    update_service: Callable[..., Any] | None = None  # service(actor, pk, **fields)

    def get_object(self, pk: int | None):
        if pk is None:
            return None
        obj = visible_or_404(self.model, self.request, pk)
        if not can(self.request.user, "change", obj):
            raise PermissionDenied
        return obj

    def make_form(self, obj, data=None):
        form = self.form_class(data, instance=obj, initial=self.request.GET.dict() if obj is None else None)
        form.limit_choices(self.request.user)
        style_form(form)
        return form

    def render_form(self, form, obj, status=200):
        return render(self.request, self.template_name,
                      {"form": form, "object": obj, "title": self.title}, status=status)

    def get(self, request, pk: int | None = None):
        obj = self.get_object(pk)
        return self.render_form(self.make_form(obj), obj)

    def post(self, request, pk: int | None = None):
        obj = self.get_object(pk)
        form = self.make_form(obj, request.POST)
        if form.is_valid():
            fields = {k: form.cleaned_data[k] for k in form.changed_data} if obj else form.cleaned_data
            try:
                view = type(self)  # class attribute access: the services are plain functions
                saved = (view.update_service(request.user, obj.pk, **fields) if obj
                         else view.create_service(request.user, **fields))
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(saved.get_absolute_url())
        return self.render_form(form, obj, status=400)


class ServiceDeleteView(View):
    model: Any = None
    delete_service: Callable[..., Any] | None = None  # service(actor, pk)
    success_url = "/"

    def get_object(self, pk: int):
        obj = visible_or_404(self.model, self.request, pk)
        if not can(self.request.user, "delete", obj):
            raise PermissionDenied
        return obj

    def get(self, request, pk: int):
        return render(request, "core/confirm_delete.html", {"object": self.get_object(pk)})

    def post(self, request, pk: int):
        obj = self.get_object(pk)
        try:
            type(self).delete_service(request.user, pk)
        except ValidationError as exc:
            return render(request, "core/confirm_delete.html", {"object": obj, "errors": exc.messages},
                          status=409)
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(self.success_url)


def reveal_response(request, model, pk: int, field: str):
    """htmx: the full value of a masked field, swapped in place of the mask; the view is logged."""
    from .pii import reveal

    try:
        value = reveal(request.user, model, pk, field)
    except model.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return render(request, "core/_message.html", {"message": exc.messages[0]}, status=400)
    return render(request, "core/_revealed.html", {"value": value})
