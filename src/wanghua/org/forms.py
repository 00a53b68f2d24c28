from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from wanghua.core.models import Role
from wanghua.core.reference import choices

from .models import Person, Region, Unit

if TYPE_CHECKING:  # the stubs' ModelForm is generic; Django's own is not subscriptable at run time
    _RegionModelForm = forms.ModelForm[Region]
    _UnitModelForm = forms.ModelForm[Unit]
    _PersonModelForm = forms.ModelForm[Person]
else:
    _RegionModelForm = _UnitModelForm = _PersonModelForm = forms.ModelForm


class TitleInput(forms.TextInput):
    template_name = "org/_datalist_input.html"

    def __init__(self, suggestions: list[str], attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.suggestions = suggestions

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, {**(attrs or {}), "list": f"{name}-suggestions"})
        context["suggestions"] = self.suggestions
        return context


class VisibleChoicesMixin:
    """Limit every region/unit choice to what the user may see."""

    fields: dict[str, Any]  # a form's

    def limit_choices(self, user: Any) -> None:
        for name, model in (("region", Region), ("parent", None), ("unit", Unit)):
            field = self.fields.get(name)
            if field is None:
                continue
            target = model or field.queryset.model
            field.queryset = target.objects.visible_to(user, "view")  # type: ignore[misc]  # region or unit


class RegionForm(VisibleChoicesMixin, _RegionModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "kind", "parent", "zone", "population", "households"]


class UnitForm(VisibleChoicesMixin, _UnitModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "parent", "region", "zone", "address", "phone", "active"]


class PersonForm(VisibleChoicesMixin, _PersonModelForm):
    class Meta:
        model = Person
        fields = ["name", "gender", "id_number", "phone", "title", "unit", "region", "party_member"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Titles are suggested from the 职务 dictionary (字典管理) but stay free text.
        self.fields["title"].widget = TitleInput(suggestions=[label for _value, label in choices("person_title")])
        if self.instance.pk:
            # Personal data is never sent back in full: the field shows the masked value as a hint, and
            # leaving it empty keeps what is stored (changed_data then omits it).
            for name, masked in (("id_number", self.instance.id_number_masked),
                                 ("phone", self.instance.phone_masked)):
                self.initial[name] = ""
                self.fields[name].widget.attrs["placeholder"] = masked
                self.fields[name].help_text = _("Leave empty to keep the current value.")

    def _post_clean(self) -> None:
        # An empty masked field means "unchanged": validate the model with the stored value.
        for name in ("id_number", "phone"):
            if self.instance.pk and not self.cleaned_data.get(name):
                self.cleaned_data[name] = type(self.instance).objects.filter(pk=self.instance.pk).values_list(
                    name, flat=True).first() or ""
        super()._post_clean()  # type: ignore[misc]  # the ModelForm's, after the mixin


class GrantForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    role = forms.ModelChoiceField(queryset=Role.objects.none(), label=_("Role"))
    region = forms.ModelChoiceField(queryset=Region.objects.none(), required=False, label=_("Region"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("Unit"))

    def __init__(self, *args: Any, user: Any, roles: list[Role], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.filter(pk__in=[r.pk for r in roles])  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
        self.fields["region"].queryset = Region.objects.visible_to(user, "view")  # type: ignore[attr-defined]  # as above
        self.fields["unit"].queryset = Unit.objects.visible_to(user, "view")  # type: ignore[attr-defined]  # as above

    def clean_username(self) -> Any:
        user = get_user_model().objects.filter(username=self.cleaned_data["username"]).first()
        if user is None:
            raise forms.ValidationError(_("No user with this username."))
        return user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}  # a Form's clean() returns its cleaned_data
        if bool(data.get("region")) == bool(data.get("unit")):
            raise forms.ValidationError(_("Choose either a region or a unit as the scope of the role."))
        return data




# --- accounts (用户管理) and roles (角色管理) ---------------------------------------------------------------------

class AccountCreateForm(VisibleChoicesMixin, forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Name"), max_length=100, required=False)
    region = forms.ModelChoiceField(queryset=Region.objects.none(), required=False, label=_("Region"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("Unit"))
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(label=_("Initial password"), required=False, max_length=128,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("Leave empty to generate one; it is shown once."))


class AccountForm(VisibleChoicesMixin, forms.Form):
    """Edit an account: its name, e-mail and where it belongs."""

    display_name = forms.CharField(label=_("Name"), max_length=100, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    region = forms.ModelChoiceField(queryset=Region.objects.none(), required=False, label=_("Region"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("Unit"))

    def __init__(self, *args: Any, instance: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if instance is not None and not self.is_bound:
            person = getattr(instance, "person", None)
            self.initial.update(display_name=instance.display_name, email=instance.email,
                                region=person.region_id if person else None, unit=person.unit_id if person else None)


class PasswordResetForm(forms.Form):
    password = forms.CharField(label=_("New password"), required=False, max_length=128,
                               widget=forms.PasswordInput(render_value=False),
                               help_text=_("Leave empty to generate one; it is shown once."))


class AccountGrantForm(forms.Form):
    """A role for one account: its anchor (region or unit) and, for a custom data scope, the chosen ones."""

    role = forms.ModelChoiceField(queryset=Role.objects.none(), label=_("Role"))
    region = forms.ModelChoiceField(queryset=Region.objects.none(), required=False, label=_("Region"))
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False, label=_("Unit"))
    data_scope = forms.ChoiceField(label=_("Data scope"), required=False)
    regions = forms.ModelMultipleChoiceField(queryset=Region.objects.none(), required=False,
                                             label=_("Custom regions"))
    units = forms.ModelMultipleChoiceField(queryset=Unit.objects.none(), required=False, label=_("Custom units"))

    def __init__(self, *args: Any, user: Any, roles: list[Role], **kwargs: Any) -> None:
        from wanghua.core.scopes import DataScope

        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Role]", self.fields["role"]).queryset = Role.objects.filter(
            pk__in=[r.pk for r in roles])
        cast(forms.ChoiceField, self.fields["data_scope"]).choices = [("", _("The role's own")), *DataScope.choices]
        for name in ("region", "regions"):
            cast("forms.ModelChoiceField[Region]", self.fields[name]).queryset = Region.objects.visible_to(
                user, "view").defer("geojson")
        for name in ("unit", "units"):
            cast("forms.ModelChoiceField[Unit]", self.fields[name]).queryset = Unit.objects.visible_to(user, "view")
        self.fields["regions"].widget.attrs["size"] = 8
        self.fields["units"].widget.attrs["size"] = 8

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}  # a Form's clean() returns its cleaned_data
        if bool(data.get("region")) == bool(data.get("unit")):
            raise forms.ValidationError(_("Choose either a region or a unit as the scope of the role."))
        return data


class RoleForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=50)
    name_en = forms.CharField(label=_("English name"), max_length=80, required=False)
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    data_scope = forms.ChoiceField(label=_("Data scope"))
    permissions = forms.MultipleChoiceField(label=_("Rights"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, instance: Role | None = None, **kwargs: Any) -> None:
        from wanghua.core.roles import catalogue_codes
        from wanghua.core.scopes import DataScope

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["data_scope"]).choices = DataScope.choices
        permissions = cast(forms.MultipleChoiceField, self.fields["permissions"])
        permissions.choices = [(code, code) for code in sorted(catalogue_codes())]
        if instance is not None:
            self.fields.pop("code")  # a role's code is how assignments and the code know it: fixed once made
            if not self.is_bound:
                self.initial.update(name_zh=instance.name_zh, name_en=instance.name_en,
                                    description=instance.description, data_scope=instance.data_scope,
                                    permissions=list(instance.permissions))
