from django import forms
from django.utils.translation import gettext_lazy as _

from wanghua.org.models import Region, RegionLevel, Unit, UnitKind

from .models import CaseCategory, CaseSource


class CaseReportForm(forms.Form):
    """上报 by a grid inspector or the command centre (on a phone: a few fields and a photo)."""

    category = forms.ModelChoiceField(label=_("category"), queryset=CaseCategory.objects.filter(
        parent__isnull=False, active=True).select_related("parent"))
    community = forms.ModelChoiceField(label=_("community"), queryset=Region.objects.none())
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    description = forms.CharField(label=_("description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    lat = forms.DecimalField(label=_("latitude"), max_digits=9, decimal_places=6, required=False,
                             widget=forms.HiddenInput)
    lon = forms.DecimalField(label=_("longitude"), max_digits=9, decimal_places=6, required=False,
                             widget=forms.HiddenInput)
    source = forms.ChoiceField(label=_("source"), choices=CaseSource.choices, initial=CaseSource.GRID)
    photo = forms.ImageField(label=_("photo"), required=False)

    def __init__(self, *args, instance=None, **kwargs):  # a new case only (ServiceFormView passes instance=None)
        super().__init__(*args, **kwargs)

    def limit_choices(self, user) -> None:
        self.fields["community"].queryset = Region.objects.visible_to(user, "civic.add_case").filter(  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
            level__in=(RegionLevel.COMMUNITY, RegionLevel.GRID))


class DispatchForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("handling unit"), queryset=Unit.objects.filter(
        kind__in=[UnitKind.DEPARTMENT, UnitKind.STREET_GOV], active=True))
    note = forms.CharField(label=_("note"), max_length=1000, required=False)


class PublicReportForm(forms.Form):
    """A resident's report from a phone, without an account."""

    category = forms.ModelChoiceField(label=_("What is wrong"), queryset=CaseCategory.objects.filter(
        parent__isnull=False, active=True).select_related("parent"))
    # The map's pin (or the phone's GPS) fills these; the community then follows from the pin.
    lat = forms.DecimalField(label=_("latitude"), max_digits=9, decimal_places=6, required=False,
                             min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.DecimalField(label=_("longitude"), max_digits=9, decimal_places=6, required=False,
                             min_value=-180, max_value=180, widget=forms.HiddenInput)
    community = forms.ModelChoiceField(label=_("community"), required=False, queryset=Region.objects.filter(
        level=RegionLevel.COMMUNITY).order_by("parent__name", "name"),
        help_text=_("Put a pin on the map, or choose the community."))
    address = forms.CharField(label=_("address"), max_length=200)
    description = forms.CharField(label=_("description"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.ImageField(label=_("photo"), required=False)
    phone = forms.CharField(label=_("phone (optional, for a call back)"), max_length=20, required=False)
    same_as = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)  # 我也遇到: that case's number

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise forms.ValidationError(_("Give both latitude and longitude, or neither."))
        if data.get("lat") is not None and not data.get("community"):
            from .queries import community_at

            data["community"] = community_at(data["lat"], data["lon"])
            if data["community"] is None:
                self.add_error("community", _("The pin is outside the district: move it, or choose the community."))
        elif not data.get("community"):
            self.add_error("community", _("Put a pin on the map, or choose the community."))
        return data


class ActivityForm(forms.ModelForm):
    class Meta:
        from .models import Activity

        model = Activity
        fields = ["team", "title", "community", "place", "starts_at", "ends_at", "capacity", "action", "station",
                  "description"]
        widgets = {"starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
                   "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def limit_choices(self, user) -> None:
        """Only the teams, communities and stations in the organiser's own scope (a community secretary was
        offered the district's 152 teams and 361 stations)."""
        self.fields["team"].queryset = Unit.objects.visible_to(user, "view").filter(  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
            kind=UnitKind.VOLUNTEER_TEAM, active=True)
        self.fields["community"].queryset = Region.objects.visible_to(user, "civic.add_activity").filter(  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
            level=RegionLevel.COMMUNITY)
        stations = self.fields["station"].queryset.model  # type: ignore[attr-defined]  # the proxy-service app's model, read through its ModelChoiceField
        self.fields["station"].queryset = stations.objects.visible_to(user, "view").select_related("unit")  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field


class MultiplePhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos in one file input (Django's documented pattern); each is checked by the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultiplePhotoInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultiplePhotoField, self).clean(item, initial) for item in files]


class ProgressForm(forms.Form):
    delivered = forms.DecimalField(label=_("delivered so far"), min_value=0, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("progress"), max_length=1000)
    reported_on = forms.DateField(label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    photos = MultiplePhotoField(label=_("evidence photos"), required=False)


class CommitmentForm(forms.ModelForm):
    class Meta:
        from .models import Commitment

        model = Commitment
        fields = ["year", "title", "target", "target_unit", "unit", "region", "budget", "deadline", "description"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"})}

    def limit_choices(self, user) -> None:
        self.fields["unit"].queryset = Unit.objects.filter(kind__in=[UnitKind.DEPARTMENT, UnitKind.STREET_GOV,  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
                                                                     UnitKind.GOVERNMENT], active=True)
        # Where the commitment applies is a place name, not a record to protect; the unit decides who may add it.
        self.fields["region"].queryset = Region.objects.filter(  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
            level__in=(RegionLevel.DISTRICT, RegionLevel.STREET, RegionLevel.COMMUNITY)).order_by("path")


ATTRIBUTES_HELP = _('Open311 attributes the report must carry, as JSON, for example: [{"code": "vehicle", '
                    '"description": "车辆类型", "datatype": "singlevaluelist", "required": true, '
                    '"values": [{"key": "car", "name": "机动车"}]}]')


class CategoryForm(forms.ModelForm):
    class Meta:
        model = CaseCategory
        fields = ["code", "name", "kind", "parent", "accept_hours", "handle_hours", "default_unit", "attributes",
                  "active"]
        widgets = {"attributes": forms.Textarea(attrs={"rows": 4, "class": "font-monospace"})}
        help_texts = {"parent": _("Empty for a 大类."), "attributes": ATTRIBUTES_HELP}

    def limit_choices(self, user) -> None:
        self.fields["parent"].queryset = CaseCategory.objects.filter(parent=None)  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
        self.fields["default_unit"].queryset = Unit.objects.filter(  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
            kind__in=[UnitKind.DEPARTMENT, UnitKind.STREET_GOV], active=True)


class ActionForm(forms.ModelForm):
    class Meta:
        from .models import CampaignAction

        model = CampaignAction
        fields = ["code", "name", "year", "description", "categories"]
        widgets = {"categories": forms.CheckboxSelectMultiple}

    def limit_choices(self, user) -> None:
        self.fields["categories"].queryset = CaseCategory.objects.exclude(parent=None).select_related("parent")  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
