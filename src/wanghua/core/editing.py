"""Create/update/delete pages that call a service function: forms validate shape, services decide."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.forms import BaseForm
from django.forms.models import BaseModelForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from .access import can

_Scoped = TypeVar("_Scoped", bound=models.Model)  # a model whose manager is a VisibilityMixin queryset


def perform(request: HttpRequest, action: Callable[[], Any]) -> bool:
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


def int_or_zero(value: Any) -> int:
    """A form or query value as an int; 0 for anything that is not one (the caller's range check refuses it)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def visible_or_404(model: type[_Scoped], request: HttpRequest, pk: Any) -> _Scoped:
    """A record the user may see, or 404: pages never reveal what lies outside one's scope."""
    obj: _Scoped | None = model.objects.visible_to(  # type: ignore[attr-defined]  # see _Scoped
        request.user, "view").filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


def style_form(form: BaseForm) -> None:
    """Give every widget its Bootstrap class (forms stay plain Django forms); plain selects render fast. Every
    page form passes here, so it also takes the input boundary's ranges (`core.boundary.bound_form`)."""
    from .boundary import bound_form
    from .widgets import fast

    bound_form(form)
    for field in form.fields.values():
        fast(field)
        widget = field.widget
        kind = getattr(widget, "input_type", None)
        css = "form-check-input" if kind == "checkbox" else "form-control" if kind == "file" else "form-select" if (
            kind == "select" or hasattr(widget, "allow_multiple_selected")) else "form-control"
        widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


def _attach(form: BaseForm, exc: ValidationError) -> None:
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
    saved_message: Any = None  # the confirmation after a save ("Saved." when not given)

    def get_object(self, pk: int | None) -> Any:
        if pk is None:
            return None
        obj = visible_or_404(self.model, self.request, pk)
        if not can(self.request.user, "change", obj):
            raise PermissionDenied
        return obj

    def form_kwargs(self, obj: Any) -> dict[str, Any]:
        """Extra arguments for the form's constructor (hook: e.g. the record the new one belongs to)."""
        return {}

    def service_kwargs(self, form: Any, obj: Any) -> dict[str, Any]:
        """Extra arguments for the service besides the form's fields (hook)."""
        return {}

    def success_url(self, saved: Any) -> str:
        return str(saved.get_absolute_url())

    def saved_text(self, saved: Any) -> str:
        """The confirmation after a save (hook: a message naming what was saved)."""
        return self.saved_message or _("Saved.")

    def make_form(self, obj: Any, data: Any = None, files: Any = None) -> Any:
        kwargs = self.form_kwargs(obj)
        if files is not None:
            kwargs["files"] = files
        takes_instance = "instance" in inspect.signature(self.form_class.__init__).parameters
        if issubclass(self.form_class, BaseModelForm) or takes_instance:  # model forms, and forms like them
            kwargs["instance"] = obj
        form = self.form_class(data, initial=self.request.GET.dict() if obj is None else None, **kwargs)
        if hasattr(form, "limit_choices"):
            form.limit_choices(self.request.user)
        style_form(form)
        return form

    def render_form(self, form: Any, obj: Any, status: int = 200) -> HttpResponse:
        return render(self.request, self.template_name,
                      {"form": form, "object": obj, "title": self.title}, status=status)

    def get(self, request: HttpRequest, pk: int | None = None, **kwargs: Any) -> HttpResponse:
        obj = self.get_object(pk)
        return self.render_form(self.make_form(obj), obj)

    def post(self, request: HttpRequest, pk: int | None = None, **kwargs: Any) -> HttpResponse:
        obj = self.get_object(pk)
        form = self.make_form(obj, request.POST, request.FILES or None)
        if form.is_valid():
            fields = {k: form.cleaned_data[k] for k in form.changed_data} if obj else dict(form.cleaned_data)
            fields.update(self.service_kwargs(form, obj))
            try:
                view = type(self)  # class attribute access: the services are plain functions
                saved = (view.update_service(request.user, obj.pk, **fields) if obj  # type: ignore[misc]  # set by the view
                         else view.create_service(request.user, **fields))  # type: ignore[misc]  # as above
            except ObjectDoesNotExist as exc:
                raise Http404 from exc
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(request, self.saved_text(saved))
                return HttpResponseRedirect(self.success_url(saved))
        return self.render_form(form, obj, status=400)


class ServiceDeleteView(View):
    model: Any = None
    delete_service: Callable[..., Any] | None = None  # service(actor, pk)
    success_url = "/"

    def get_object(self, pk: int) -> Any:
        obj = visible_or_404(self.model, self.request, pk)
        if not can(self.request.user, "delete", obj):
            raise PermissionDenied
        return obj

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, "core/confirm_delete.html", {"object": self.get_object(pk)})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.get_object(pk)
        try:
            type(self).delete_service(request.user, pk)  # type: ignore[misc]  # set by the view
        except ValidationError as exc:
            return render(request, "core/confirm_delete.html", {"object": obj, "errors": exc.messages},
                          status=409)
        messages.success(request, _("Deleted."))
        return HttpResponseRedirect(self.success_url)


def reveal_response(request: HttpRequest, model: type[models.Model], pk: int, field: str) -> HttpResponse:
    """htmx: the full value of a masked field, swapped in place of the mask; the view is logged."""
    from .pii import reveal

    try:
        value = reveal(request.user, model, pk, field)
    except model.DoesNotExist as exc:  # type: ignore[attr-defined]  # every concrete model has its DoesNotExist
        raise Http404 from exc
    except ValidationError as exc:
        return render(request, "core/_message.html", {"message": exc.messages[0]}, status=400)
    return render(request, "core/_revealed.html", {"value": value})


StepCall = Callable[[Any, int, Any], Any]  # (user, pk, request) → calls one service


class StepView(View):
    """POST `<pk>/<step>/`: take one step of a declared state machine through its service, via `perform`.

    Subclasses set `machine`, `steps` (step → call), `redirect_to` (a URL name taking `pk`) and optionally
    `refused` (re-render the record's page with the error, status 400). Every step a StepView serves is marked
    as offered, so the state-machine test knows a page offers it."""

    http_method_names = ["post"]
    machine: Any = None
    steps: dict[str, StepCall] = {}
    redirect_to = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.machine is not None and cls.steps:
            from .transitions import offers

            offers(cls.machine, *cls.steps)(cls)

    def refused(self, request: HttpRequest, pk: int) -> HttpResponse:
        """After a refusal (its message is already queued): back to the record."""
        return HttpResponseRedirect(reverse(self.redirect_to, kwargs={"pk": pk}))

    def post(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        call = self.steps.get(step)
        if call is None:
            raise Http404
        if any("\x00" in value for values in request.POST.lists() for value in values[1]):
            # PostgreSQL cannot store NUL and it is never meant: refused for every step at once, nothing changes.
            messages.error(request, _("Text must not contain NUL characters."))
            return self.refused(request, pk)
        if perform(request, lambda: call(request.user, pk, request)):
            return HttpResponseRedirect(reverse(self.redirect_to, kwargs={"pk": pk}))
        return self.refused(request, pk)


class PhotoView(View):
    """A stored photo, served through the same access rules as its record (never as an open media file).
    The model has `image` (a FileField) and `image_format` (jpg, png or webp)."""

    model: Any = None
    CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}

    def get(self, request: HttpRequest, photo_id: int) -> FileResponse:
        photo = visible_or_404(self.model, request, photo_id)
        return FileResponse(photo.image.open("rb"), content_type=self.CONTENT_TYPES[photo.image_format])
