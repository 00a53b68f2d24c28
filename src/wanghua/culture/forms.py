from django import forms
from django.utils.translation import gettext_lazy as _

from wanghua.core.access import has_perm_anywhere
from wanghua.org.models import Region, RegionLevel

from .models import DeedCategory, Goods, HeritageSite, PointsRule, StudyRoute


def _communities(user):
    return Region.objects.visible_to(user, "view").filter(level=RegionLevel.COMMUNITY).defer("geojson")


class SiteForm(forms.ModelForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = _communities(user)

    class Meta:
        model = HeritageSite
        fields = ["name", "address", "community", "longitude", "latitude", "story", "source", "opening_hours",
                  "active"]
        widgets = {"story": forms.Textarea(attrs={"rows": 6})}


class RouteForm(forms.Form):
    name = forms.CharField(label=_("Route name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=1000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    sites = forms.ModelMultipleChoiceField(queryset=HeritageSite.objects.none(), label=_("Sites, in order"))
    active = forms.BooleanField(label=_("Published"), required=False, initial=True)

    def __init__(self, *args, user, instance: StudyRoute | None = None, **kwargs):
        if instance is not None:  # the route as it stands, so only what changes is sent to the service
            kwargs["initial"] = {"name": instance.name, "description": instance.description, "active": instance.active,
                                 "sites": [stop.site_id for stop in instance.stops.order_by("position")]}
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = HeritageSite.objects.visible_to(user, "view")  # type: ignore[attr-defined]  # a ModelMultipleChoiceField; the stubs type form.fields as Field

    def clean_sites(self):
        chosen = {s.pk: s for s in self.cleaned_data["sites"]}
        order = [int(v) for v in self.data.getlist("sites") if str(v).isdigit()] if hasattr(self.data, "getlist") \
            else list(chosen)
        return [chosen[pk] for pk in dict.fromkeys(order) if pk in chosen]


class NominationForm(forms.Form):
    nominee_name = forms.CharField(label=_("Nominee"), max_length=50)
    community = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Nominee's village/community"))
    category = forms.ChoiceField(choices=DeedCategory.choices, label=_("Category"))
    deed = forms.CharField(label=_("Deed"), max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 5}))
    deed_date = forms.DateField(label=_("Date of the deed"), widget=forms.DateInput(attrs={"type": "date"}))
    nominee_phone = forms.CharField(label=_("Nominee phone"), max_length=20, required=False)
    title = forms.CharField(label=_("Honour"), max_length=100, required=False)
    photos = forms.FileField(label=_("Evidence photo"), required=False)
    by_community = forms.BooleanField(label=_("Nominate in the community's name"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Anyone may nominate a person of any community: the list of communities is public knowledge.
        self.fields["community"].queryset = Region.objects.filter(level=RegionLevel.COMMUNITY).defer("geojson")
        if not has_perm_anywhere(user, "culture.review_nomination"):
            del self.fields["by_community"]  # only a community's staff nominate in its name


class GoodsForm(forms.ModelForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if "community" in self.fields:
            self.fields["community"].queryset = _communities(user)

    class Meta:
        model = Goods
        fields = ["community", "name", "points", "stock", "active"]


class RuleForm(forms.ModelForm):
    class Meta:
        model = PointsRule
        fields = ["points_per_hour", "bonus_month", "bonus_day", "bonus_per_hour", "bonus_keyword"]
