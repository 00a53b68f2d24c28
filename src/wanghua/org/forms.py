from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from wanghua.core.models import Role
from wanghua.core.reference import choices

from .models import Person, Region, Unit


class TitleInput(forms.TextInput):
    template_name = "org/_datalist_input.html"

    def __init__(self, suggestions: list[str], attrs=None):
        super().__init__(attrs)
        self.suggestions = suggestions

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, {**(attrs or {}), "list": f"{name}-suggestions"})
        context["suggestions"] = self.suggestions
        return context


class VisibleChoicesMixin:
    """Limit every region/unit choice to what the user may see."""

    fields: dict[str, Any]  # a form's

    def limit_choices(self, user) -> None:
        for name, model in (("region", Region), ("parent", None), ("unit", Unit)):
            field = self.fields.get(name)
            if field is None:
                continue
            target = model or field.queryset.model
            field.queryset = target.objects.visible_to(user, "view")  # type: ignore[misc]  # region or unit


class RegionForm(VisibleChoicesMixin, forms.ModelForm):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "kind", "parent", "zone", "population", "households"]


class UnitForm(VisibleChoicesMixin, forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["code", "name", "short_name", "kind", "parent", "region", "zone", "address", "phone", "active"]


class PersonForm(VisibleChoicesMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "gender", "id_number", "phone", "title", "unit", "region", "party_member"]

    def __init__(self, *args, **kwargs):
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

    def _post_clean(self):
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

    def __init__(self, *args, user, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = Role.objects.filter(pk__in=[r.pk for r in roles])  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
        self.fields["region"].queryset = Region.objects.visible_to(user, "view")  # type: ignore[attr-defined]  # as above
        self.fields["unit"].queryset = Unit.objects.visible_to(user, "view")  # type: ignore[attr-defined]  # as above

    def clean_username(self):
        user = get_user_model().objects.filter(username=self.cleaned_data["username"]).first()
        if user is None:
            raise forms.ValidationError(_("No user with this username."))
        return user

    def clean(self):
        data = super().clean()
        if bool(data.get("region")) == bool(data.get("unit")):  # type: ignore[union-attr]  # clean() returns the data
            raise forms.ValidationError(_("Choose either a region or a unit as the scope of the role."))
        return data


