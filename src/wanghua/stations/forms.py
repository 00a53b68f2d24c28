from django import forms
from django.utils.translation import gettext_lazy as _

from wanghua.core.reference import choices
from wanghua.org.models import Person, Region, RegionLevel

from .models import Channel, LedgerKind, Resident, Station
from .services import ERRAND_CATEGORIES


class ErrandForm(forms.Form):
    resident = forms.ModelChoiceField(queryset=Resident.objects.none(), label=_("Resident"))
    category = forms.ChoiceField(label=_("Category"))
    channel = forms.ChoiceField(choices=Channel.choices, label=_("Channel"), initial=Channel.PHONE)
    description = forms.CharField(label=_("What is needed"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    handles_money = forms.BooleanField(label=_("Handles the resident's money"), required=False)
    due_at = forms.DateTimeField(label=_("Due"), required=False,
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = Resident.objects.visible_to(user, "view").select_related("station")
        self.fields["category"].choices = choices(ERRAND_CATEGORIES)


class ResidentForm(forms.ModelForm):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["station"].queryset = Station.objects.visible_to(user, "view").select_related("unit")

    class Meta:
        model = Resident
        fields = ["name", "station", "id_number", "phone", "address", "birth_year", "empty_nest", "living_alone",
                  "disabled", "emergency_contact", "emergency_phone", "consent_on", "consent_how"]
        widgets = {"consent_on": forms.DateInput(attrs={"type": "date"})}


class LedgerForm(forms.Form):
    kind = forms.ChoiceField(choices=LedgerKind.choices, label=_("Kind"))
    amount = forms.CharField(label=_("Amount (yuan)"), max_length=20,
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    receipt_no = forms.CharField(label=_("Receipt number"), max_length=60, required=False)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
    receipt_photo = forms.FileField(label=_("Photo of the receipt"), required=False,
                                    widget=forms.FileInput(attrs={
                                        "accept": "image/jpeg,image/png,image/webp", "capture": "environment"}))


class StationForm(forms.Form):
    community = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("Village/community"))
    code = forms.SlugField(label=_("Code"), max_length=32)
    host_household = forms.CharField(label=_("Host household"), max_length=100)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    service_hours = forms.CharField(label=_("Service hours"), max_length=100, initial="08:00-17:00")
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    agents = forms.ModelMultipleChoiceField(queryset=Person.objects.none(), label=_("Agents"), required=False)

    def __init__(self, *args, user, instance: Station | None = None, **kwargs):
        if instance is not None:  # the open station's values, so only what changes is sent to the service
            kwargs["initial"] = {"host_household": instance.host_household, "address": instance.address,
                                 "phone": instance.phone, "service_hours": instance.service_hours,
                                 "active": instance.active, "agents": list(instance.agents.all())}
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Region.objects.visible_to(user, "view").filter(  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
            level=RegionLevel.COMMUNITY)
        self.fields["agents"].queryset = Person.objects.visible_to(user, "view").filter(  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
            region__level=RegionLevel.COMMUNITY)
        if instance is not None:  # the community and the code of an open station do not change
            del self.fields["community"], self.fields["code"]


class QuickResidentForm(forms.Form):
    """新居民 at the intake: the few facts an agent hears on the phone; the rest is filled in later."""

    name = forms.CharField(label=_("Name"), max_length=50)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}))
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    station = forms.ModelChoiceField(queryset=Station.objects.none(), label=_("Station"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, prefix="new", **kwargs)
        stations = Station.objects.visible_to(user, "view").filter(active=True).select_related("unit")
        self.fields["station"].queryset = stations
        if len(stations[:2]) == 1:  # an agent's own station: nothing to choose
            self.fields["station"].initial = stations[0]
            self.fields["station"].widget = forms.HiddenInput()
