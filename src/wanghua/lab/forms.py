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

    yield_strength = forms.DecimalField(label="ReL/Rp0.2 (MPa)", required=False, max_digits=6, decimal_places=1)
    tensile_strength = forms.DecimalField(label="Rm (MPa)", required=False, max_digits=6, decimal_places=1)
    elongation = forms.DecimalField(label="A (%)", required=False, max_digits=4, decimal_places=1)
    agt = forms.DecimalField(label="Agt (%)", required=False, max_digits=4, decimal_places=1)
    passed_bend = forms.NullBooleanField(label=_("no cracks"), required=False, widget=forms.Select(choices=[
        ("unknown", "—"), ("true", _("yes")), ("false", _("no"))]))
    weight_deviation = forms.DecimalField(label=_("weight deviation (%)"), required=False, max_digits=5,
                                          decimal_places=2)
    reason = forms.CharField(label=_("reason"), max_length=300)
