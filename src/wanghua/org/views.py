"""Org pages: region tree, zones, units, people, roles. Thin: every change calls services."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.forms import BaseForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from wanghua.core.access import can, has_perm_anywhere
from wanghua.core.editing import ServiceDeleteView, ServiceFormView, reveal_response, style_form, visible_or_404
from wanghua.core.listing import Column, ScopedListView, attr, detail_link
from wanghua.core.models import Role
from wanghua.core.rules import AuthenticatedHttpRequest, access, perm

from . import services
from .filters import AccountFilter, AssignmentFilter, PersonFilter, RegionFilter, UnitFilter
from .forms import (
    AccountCreateForm,
    AccountForm,
    AccountGrantForm,
    GrantForm,
    PasswordResetForm,
    PersonForm,
    RegionForm,
    RoleForm,
    UnitForm,
)
from .models import Person, Region, RoleAssignment, Unit

# --- regions ----------------------------------------------------------------------------------------

@access(perm("org.view_region"))
def region_tree(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The tree browser: the user's top visible regions; children load on demand (htmx)."""
    visible = Region.objects.visible_to(request.user, "view")
    min_depth = visible.order_by("depth").values_list("depth", flat=True).first()
    roots = visible.filter(depth=min_depth) if min_depth is not None else visible.none()
    return render(request, "org/region_tree.html", {"nodes": _with_child_counts(roots, request.user)})


def _with_child_counts(qs: QuerySet[Region], user: Any) -> QuerySet[Region]:
    visible_ids = Region.objects.visible_to(user, "view").values("pk")
    return qs.annotate(child_count=Count("children", filter=Q(children__in=visible_ids))).order_by(
        "sort_order", "code")


@access(perm("org.view_region"))
def region_children(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    region = visible_or_404(Region, request, pk)
    children = _with_child_counts(Region.objects.visible_to(request.user, "view").filter(parent=region),
                                  request.user)
    return render(request, "org/_region_nodes.html", {"nodes": children})


@access(perm("org.view_region"))
def region_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    region = visible_or_404(Region, request, pk)
    context = {
        "region": region,
        "ancestors": region.ancestors().filter(pk__in=Region.objects.visible_to(request.user, "view").values("pk")),
        "children": Region.objects.visible_to(request.user, "view").filter(parent=region).order_by(
            "sort_order", "code"),
        "units": Unit.objects.visible_to(request.user, "view").filter(region=region)[:100],
        "people_count": Person.objects.visible_to(request.user, "view").filter(
            region__path__startswith=region.path).count(),
        "can_change": can(request.user, "change", region),
        "can_add": can(request.user, "add", region),
    }
    return render(request, "org/region_detail.html", context)


@access(perm("org.view_region"))
class RegionListView(ScopedListView):
    model = Region
    filterset_class = RegionFilter
    title = gettext_lazy("Regions")
    create_url = "org:region_create"
    columns = [
        Column(gettext_lazy("Code"), attr("code")),
        Column(gettext_lazy("Name"), attr("name"), link=detail_link),
        Column(gettext_lazy("Level"), attr("level")),
        Column(gettext_lazy("Kind"), attr("kind")),
        Column(gettext_lazy("Parent"), attr("parent.name")),
        Column(gettext_lazy("Zone"), attr("zone.name")),
        Column(gettext_lazy("Population"), attr("population")),
    ]

    def base_queryset(self) -> QuerySet[Any]:
        return super().base_queryset().select_related("parent", "zone").order_by("path")


@access(perm("org.add_region"))
class RegionCreateView(ServiceFormView):
    form_class, model, title = RegionForm, Region, gettext_lazy("New region")
    create_service = services.create_region


@access(perm("org.change_region"))
class RegionUpdateView(ServiceFormView):
    form_class, model, title = RegionForm, Region, gettext_lazy("Edit region")
    update_service = services.update_region


@access(perm("org.delete_region"))
class RegionDeleteView(ServiceDeleteView):
    model, success_url = Region, "/org/regions/"
    delete_service = services.delete_region


# --- units ------------------------------------------------------------------------------------------

@access(perm("org.view_unit"))
class UnitListView(ScopedListView):
    model = Unit
    filterset_class = UnitFilter
    title = gettext_lazy("Units")
    create_url = "org:unit_create"
    columns = [
        Column(gettext_lazy("Code"), attr("code")),
        Column(gettext_lazy("Name"), attr("name"), link=detail_link),
        Column(gettext_lazy("Kind"), attr("kind")),
        Column(gettext_lazy("Region"), attr("region.name")),
        Column(gettext_lazy("Zone"), attr("zone.name")),
        Column(gettext_lazy("Parent unit"), attr("parent.name")),
        Column(gettext_lazy("Phone"), attr("phone")),
    ]

    def base_queryset(self) -> QuerySet[Any]:
        return super().base_queryset().select_related("region", "zone", "parent").order_by("path")


@access(perm("org.view_unit"))
def unit_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    unit = visible_or_404(Unit, request, pk)
    return render(request, "org/unit_detail.html", {
        "unit": unit,
        "children": Unit.objects.visible_to(request.user, "view").filter(parent=unit),
        "people": Person.objects.visible_to(request.user, "view").filter(unit=unit)[:200],
        "can_change": can(request.user, "change", unit),
        "can_delete": can(request.user, "delete", unit),
    })


@access(perm("org.add_unit"))
class UnitCreateView(ServiceFormView):
    form_class, model, title = UnitForm, Unit, gettext_lazy("New unit")
    create_service = services.create_unit


@access(perm("org.change_unit"))
class UnitUpdateView(ServiceFormView):
    form_class, model, title = UnitForm, Unit, gettext_lazy("Edit unit")
    update_service = services.update_unit


@access(perm("org.delete_unit"))
class UnitDeleteView(ServiceDeleteView):
    model, success_url = Unit, "/org/units/"
    delete_service = services.delete_unit


# --- people -----------------------------------------------------------------------------------------

@access(perm("org.view_person"))
class PersonListView(ScopedListView):
    model = Person
    filterset_class = PersonFilter
    title = gettext_lazy("People")
    create_url = "org:person_create"
    columns = [
        Column(gettext_lazy("Name"), attr("name"), link=detail_link),
        Column(gettext_lazy("Gender"), attr("gender")),
        Column(gettext_lazy("ID number"), attr("id_number_masked")),
        Column(gettext_lazy("Phone"), attr("phone_masked")),
        Column(gettext_lazy("Position"), attr("title")),
        Column(gettext_lazy("Unit"), attr("unit.name")),
        Column(gettext_lazy("Region"), attr("region.name")),
        Column(gettext_lazy("Party member"), attr("party_member")),
    ]

    def base_queryset(self) -> QuerySet[Any]:
        return super().base_queryset().select_related("unit", "region")


@access(perm("org.view_person"))
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = visible_or_404(Person, request, pk)
    return render(request, "org/person_detail.html", {
        "person": person,
        "can_change": can(request.user, "change", person),
        "can_delete": can(request.user, "delete", person),
        "can_reveal": can(request.user, "reveal", person),
    })


@access(perm("org.reveal_person"))
@require_POST
def person_reveal(request: AuthenticatedHttpRequest, pk: int, field: str) -> HttpResponse:
    return reveal_response(request, Person, pk, field)


@access(perm("org.add_person"))
class PersonCreateView(ServiceFormView):
    form_class, model, title = PersonForm, Person, gettext_lazy("New person")
    create_service = services.create_person


@access(perm("org.change_person"))
class PersonUpdateView(ServiceFormView):
    form_class, model, title = PersonForm, Person, gettext_lazy("Edit person")
    update_service = services.update_person


@access(perm("org.delete_person"))
class PersonDeleteView(ServiceDeleteView):
    model, success_url = Person, "/org/people/"
    delete_service = services.delete_person


# --- roles ------------------------------------------------------------------------------------------

@access(perm("org.view_roleassignment"))
class AssignmentListView(ScopedListView):
    model = RoleAssignment
    filterset_class = AssignmentFilter
    title = gettext_lazy("Role assignments")
    template_name = "org/assignments.html"
    columns = [
        Column(gettext_lazy("Username"), attr("user.username")),
        Column(gettext_lazy("Name"), lambda a: str(a.user)),
        Column(gettext_lazy("Role"), lambda a: str(a.role)),
        Column(gettext_lazy("Scope"), lambda a: str(a.scope)),
        Column(gettext_lazy("Granted by"), attr("granted_by")),
        Column(gettext_lazy("Granted"), attr("created_at")),
    ]

    def base_queryset(self) -> QuerySet[Any]:
        return super().base_queryset().select_related("user", "role", "region", "unit", "granted_by")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        roles = services.assignable_roles(self.request.user)  # type: ignore[arg-type]  # behind login
        context["grant_form"] = GrantForm(user=self.request.user, roles=roles) if roles else None
        if context["grant_form"]:
            style_form(context["grant_form"])
        context["can_revoke"] = has_perm_anywhere(self.request.user, "org.delete_roleassignment")
        return context


@access(perm("org.add_roleassignment"))
@require_POST
def grant_role(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GrantForm(request.POST, user=request.user, roles=services.assignable_roles(request.user))
    if form.is_valid():
        try:
            services.grant_role(request.user, form.cleaned_data["username"], form.cleaned_data["role"],
                                region=form.cleaned_data["region"], unit=form.cleaned_data["unit"])
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("org:assignments")
        messages.success(request, _("The role has been granted."))
    else:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, errors)
    return redirect("org:assignments")


@access(perm("org.delete_roleassignment"))
@require_POST
def revoke_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    try:
        services.revoke_role(request.user, pk)
    except RoleAssignment.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("The role has been revoked."))
    return redirect("org:assignments")





# --- accounts (用户管理) ------------------------------------------------------------------------------------

ACCOUNTS = "core.view_user"


def _account_link(account: Any) -> str:
    return reverse("org:account_detail", args=[account.pk])


def _home_of(account: Any, part: str) -> Any:
    person = getattr(account, "person", None)
    return getattr(person, part, None) if person else None


@access(perm(ACCOUNTS))
class AccountListView(ScopedListView):
    """用户管理: the accounts of the reader's scope, searchable, with Excel export."""

    model = get_user_model()
    filterset_class = AccountFilter
    title = gettext_lazy("Users")
    create_url = "org:account_create"
    columns = [
        Column(gettext_lazy("Username"), attr("username"), link=_account_link),
        Column(gettext_lazy("Name"), attr("display_name")),
        Column(gettext_lazy("Region"), lambda a: _home_of(a, "region") or ""),
        Column(gettext_lazy("Unit"), lambda a: _home_of(a, "unit") or ""),
        Column(pgettext_lazy("account", "Roles"),
               lambda a: "、".join(sorted({str(r.role) for r in a.role_assignments.all()}))),
        Column(gettext_lazy("Enabled"), attr("is_active")),
        Column(gettext_lazy("Last login"), attr("last_login")),
        Column(gettext_lazy("Joined"), attr("date_joined")),
    ]

    def base_queryset(self) -> QuerySet[Any]:
        return (super().base_queryset().select_related("person__region", "person__unit")
                .prefetch_related("role_assignments__role").defer("person__region__geojson")
                .order_by("username"))


def _account_page(request: AuthenticatedHttpRequest, account: Any, *, status: int = 200, new_password: str = "",
                  grant_form: AccountGrantForm | None = None,
                  password_form: PasswordResetForm | None = None) -> HttpResponse:
    """One account: where it belongs, its roles with their data scopes, and what the reader may do to it."""
    manageable = services.manages(request.user, account)
    roles = services.assignable_roles(request.user) if manageable else []
    if grant_form is None and roles:
        grant_form = AccountGrantForm(user=request.user, roles=roles)
    for form in (grant_form, password_form):
        if form is not None:
            style_form(form)
    return render(request, "org/account_detail.html", {
        "account": account, "person": getattr(account, "person", None),
        "assignments": account.role_assignments.select_related("role", "region", "unit").prefetch_related(
            "regions", "units"),
        "manageable": manageable, "is_self": account.pk == request.user.pk,
        "grant_form": grant_form if roles else None,
        "password_form": password_form or (PasswordResetForm() if manageable else None),
        "new_password": new_password}, status=status)


@access(perm(ACCOUNTS))
def account_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _account_page(request, visible_or_404(get_user_model(), request, pk))


def _refused(request: AuthenticatedHttpRequest, account: Any, exc: ValidationError, **forms: Any) -> HttpResponse:
    messages.error(request, "; ".join(exc.messages))
    return _account_page(request, account, status=400, **forms)


@access(perm("core.add_user"))
def account_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """新增用户: on success the account's page, showing the password once."""
    form = AccountCreateForm(request.POST or None)
    form.limit_choices(request.user)
    style_form(form)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = services.create_account(request.user, **form.cleaned_data)
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("The account has been created."))
            return _account_page(request, account, new_password=password)
    return render(request, "core/form.html", {"form": form, "title": _("New user")},
                  status=400 if request.method == "POST" else 200)


def _attach_errors(form: BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _managed_or_404(request: AuthenticatedHttpRequest, pk: int) -> Any:
    """The account for a change: outside the reader's scope is 404, wider than the reader 403."""
    account = visible_or_404(get_user_model(), request, pk)
    if not services.manages(request.user, account):
        raise PermissionDenied(_("This account holds rights beyond yours; only a wider administrator can "
                                 "change it."))
    return account


@access(perm("core.change_user"))
class AccountUpdateView(ServiceFormView):
    form_class, title = AccountForm, gettext_lazy("Edit user")
    update_service = services.update_account

    def get_object(self, pk: Any = None) -> Any:
        return _managed_or_404(cast(AuthenticatedHttpRequest, self.request), pk)  # the rule needs a login

    def success_url(self, saved: Any) -> str:
        return reverse("org:account_detail", args=[saved.pk])


@access(perm("core.change_user"))
@require_POST
def account_set_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """停用/启用 (POST active=0/1)."""
    account = _managed_or_404(request, pk)
    try:
        services.set_account_active(request.user, account.pk, request.POST.get("active") == "1")
    except ValidationError as exc:
        return _refused(request, account, exc)
    messages.success(request, _("Saved."))
    return redirect("org:account_detail", pk=account.pk)


@access(perm("core.change_user"))
@require_POST
def account_reset_password(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """重置密码: the new password (given or generated) is shown on this answer only."""
    account = _managed_or_404(request, pk)
    form = PasswordResetForm(request.POST)
    if not form.is_valid():
        return _account_page(request, account, status=400, password_form=form)
    try:
        password = services.reset_account_password(request.user, account.pk, form.cleaned_data["password"])
    except ValidationError as exc:
        _attach_errors(form, exc)
        return _account_page(request, account, status=400, password_form=form)
    messages.success(request, _("The password has been reset."))
    return _account_page(request, account, new_password=password)


@access(perm("org.add_roleassignment"))
@require_POST
def account_grant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    account = _managed_or_404(request, pk)
    form = AccountGrantForm(request.POST, user=request.user, roles=services.assignable_roles(request.user))
    if not form.is_valid():
        messages.error(request, "; ".join(str(e) for errs in form.errors.values() for e in errs))
        return _account_page(request, account, status=400, grant_form=form)
    data = form.cleaned_data
    try:
        services.grant_account_role(request.user, account.pk, data["role"], region=data["region"], unit=data["unit"],
                                    data_scope=data["data_scope"], regions=list(data["regions"]),
                                    units=list(data["units"]))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "; ".join(getattr(exc, "messages", None) or [str(exc)]))
        return _account_page(request, account, status=400, grant_form=form)
    messages.success(request, _("The role has been granted."))
    return redirect("org:account_detail", pk=account.pk)


@access(perm("org.delete_roleassignment"))
@require_POST
def account_revoke(request: AuthenticatedHttpRequest, pk: int, assignment_id: int) -> HttpResponse:
    account = _managed_or_404(request, pk)
    try:
        services.revoke_account_role(request.user, account.pk, assignment_id)
    except RoleAssignment.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("The role has been revoked."))
    return redirect("org:account_detail", pk=account.pk)


# --- roles (角色管理) ---------------------------------------------------------------------------------------

def _role_page(request: AuthenticatedHttpRequest, role: Role | None, form: RoleForm | None, *,
               status: int = 200) -> HttpResponse:
    """The editor (form given) or the read-only view (built-in roles, readers who may not edit)."""
    from wanghua.core.roles import holds, permission_catalogue

    catalogue = permission_catalogue()
    codes = [right.code for module in catalogue for menu in module.menus for right in menu.rights]
    if form is not None:
        style_form(form)
        chosen = set(form["permissions"].value() or [])
        checked = {code for code in codes if code in chosen}
    else:
        assert role is not None, "the read-only view shows a role"
        checked = {code for code in codes if holds(role.permissions, code)}
    return render(request, "org/role_form.html", {
        "role": role, "form": form, "catalogue": catalogue, "checked": checked, "readonly": form is None},
        status=status)


@access(perm("org.view_roleassignment"))
def roles(request: AuthenticatedHttpRequest) -> HttpResponse:
    """角色管理: every role, its data scope and its rights by name; custom roles open in the editor."""
    return render(request, "org/roles.html", {
        "roles": Role.objects.annotate(holders=Count("assignments")),
        "can_add": services_may(request.user, "add"), "can_change": services_may(request.user, "change")})


def services_may(user: Any, action: str) -> bool:
    return has_perm_anywhere(user, f"core.{action}_role")


@access(perm("org.view_roleassignment"))
def role_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A role's rights as a tree of modules, menus and buttons; built-in ones read-only."""
    role = Role.objects.filter(pk=pk).first()
    if role is None:
        raise Http404
    if role.builtin or not services_may(request.user, "change"):
        if request.method == "POST":
            raise PermissionDenied(_("Built-in roles are read-only.") if role.builtin else "")
        return _role_page(request, role, None)
    form = RoleForm(request.POST or None, instance=role)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_role(request.user, role.pk, **form.cleaned_data)
            except ValidationError as exc:
                _attach_errors(form, exc)
            else:
                messages.success(request, _("Saved."))
                return redirect("org:role_detail", pk=role.pk)
        return _role_page(request, role, form, status=400)
    return _role_page(request, role, form)


@access(perm("core.add_role"))
def role_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                role = services.create_role(request.user, **form.cleaned_data)
            except ValidationError as exc:
                _attach_errors(form, exc)
            else:
                messages.success(request, _("The role has been created."))
                return redirect("org:role_detail", pk=role.pk)
        return _role_page(request, None, form, status=400)
    return _role_page(request, None, form)
