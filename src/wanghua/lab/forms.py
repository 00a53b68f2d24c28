from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import GradeLimit


class LabOrderForm(forms.Form):
    heat = forms.CharField(label=_("Heat number"), max_length=40)
    grade = forms.ChoiceField(label=_("Steel grade"))
    diameter = forms.IntegerField(label=_("nominal diameter (mm)"), min_value=6, max_value=50)
    sampled_at = forms.DateTimeField(label=_("sampled"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    sampled_where = forms.CharField(label=_("sampling place"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grades = GradeLimit.objects.filter(standard__active=True).values_list("grade", flat=True).distinct()
        self.fields["grade"].choices = [(g, g) for g in sorted(grades)]


class ResultForm(forms.Form):
    """A result typed in by hand (or a correction): always with a reason."""

    yield_strength = forms.DecimalField(label=_("ReL/Rp0.2 (MPa)"), required=False, max_digits=6, decimal_places=1)
    tensile_strength = forms.DecimalField(label=_("Rm (MPa)"), required=False, max_digits=6, decimal_places=1)
    elongation = forms.DecimalField(label=_("A (%)"), required=False, max_digits=4, decimal_places=1)
    agt = forms.DecimalField(label=_("Agt (%)"), required=False, max_digits=4, decimal_places=1)
    passed_bend = forms.NullBooleanField(label=_("no cracks"), required=False, widget=forms.Select(choices=[
        ("unknown", "—"), ("true", _("yes")), ("false", _("no"))]))
    weight_deviation = forms.DecimalField(label=_("weight deviation (%)"), required=False, max_digits=5,
                                          decimal_places=2)
    reason = forms.CharField(label=_("reason"), max_length=300)


class AnalysisForm(forms.Form):
    """A melt analysis typed in by hand (or a correction): mass %, always with a reason."""

    c = forms.DecimalField(label="C (%)", max_digits=7, decimal_places=4)
    si = forms.DecimalField(label="Si (%)", max_digits=7, decimal_places=4)
    mn = forms.DecimalField(label="Mn (%)", max_digits=7, decimal_places=4)
    p = forms.DecimalField(label="P (%)", max_digits=7, decimal_places=4)
    s = forms.DecimalField(label="S (%)", max_digits=7, decimal_places=4)
    v = forms.DecimalField(label="V (%)", required=False, max_digits=7, decimal_places=4)
    nb = forms.DecimalField(label="Nb (%)", required=False, max_digits=7, decimal_places=4)
    ti = forms.DecimalField(label="Ti (%)", required=False, max_digits=7, decimal_places=4)
    cr = forms.DecimalField(label="Cr (%)", required=False, max_digits=7, decimal_places=4)
    ni = forms.DecimalField(label="Ni (%)", required=False, max_digits=7, decimal_places=4)
    cu = forms.DecimalField(label="Cu (%)", required=False, max_digits=7, decimal_places=4)
    mo = forms.DecimalField(label="Mo (%)", required=False, max_digits=7, decimal_places=4)
    reason = forms.CharField(label=_("reason"), max_length=300)


class DeliveryForm(forms.Form):
    customer = forms.CharField(label=_("customer"), max_length=100)
    contract = forms.CharField(label=_("contract number"), max_length=60)
    grade = forms.ChoiceField(label=_("Steel grade"))
    diameter = forms.IntegerField(label=_("nominal diameter (mm)"), min_value=6, max_value=50)
    bundles = forms.IntegerField(label=_("bundles"))
    weight = forms.DecimalField(label=_("weight (t)"), max_digits=12, decimal_places=3)
    orders: "forms.ModelMultipleChoiceField[Any]" = forms.ModelMultipleChoiceField(label=_("heats"), queryset=None)

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        grades = GradeLimit.objects.filter(standard__active=True).values_list("grade", flat=True).distinct()
        self.fields["grade"].choices = [(g, g) for g in sorted(grades)]

    def limit_choices(self, user) -> None:
        from .models import LabOrder, Review

        self.fields["orders"].queryset = (LabOrder.objects.visible_to(user).filter(review=Review.APPROVED)  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
                                          .order_by("-sampled_at"))

    def clean_orders(self):
        return [order.pk for order in self.cleaned_data["orders"]]


class LabProfileForm(forms.Form):
    lab_name = forms.CharField(label=_("lab name"), max_length=100, required=False)
    number_pattern = forms.CharField(label=_("certificate number pattern"), max_length=60,
                                     help_text=_("{year}, {yy}, {seq} (e.g. {seq:05d}) and {enterprise}"))
    seal = forms.FileField(label=_("seal image"), required=False, help_text=_("PNG or JPEG, under 1 MB"))

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)
        if instance is not None and not self.is_bound:
            self.initial.update(lab_name=instance.lab_name, number_pattern=instance.number_pattern)

    def clean_seal(self):
        seal = self.cleaned_data.get("seal")
        return seal.read() if seal else None
