from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AlarmDefinition, Equipment, GradeLimit, ProductionLine, Tag


class LineForm(forms.ModelForm):
    class Meta:
        model = ProductionLine
        fields = ["name", "capacity_tonnes", "ideal_rate", "cold_after_minutes", "temperature_tag", "cold_below",
                  "min_stop_seconds", "active"]

    def limit_choices(self, user) -> None:
        self.fields["temperature_tag"].queryset = Tag.objects.visible_to(user).filter(line=self.instance, kind="number")


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "unit", "low", "high", "key", "equipment"]

    def limit_choices(self, user) -> None:
        self.fields["equipment"].queryset = Equipment.objects.visible_to(user).filter(line_id=self.instance.line_id)


class AlarmForm(forms.ModelForm):
    class Meta:
        model = AlarmDefinition
        fields = ["tag", "kind", "limit", "state", "priority", "deadband", "on_delay", "off_delay", "message"]

    def limit_choices(self, user) -> None:
        self.fields["tag"].queryset = Tag.objects.visible_to(user, "industry.add_alarmdefinition").select_related(
            "line")
        if self.instance.pk:
            del self.fields["tag"]  # an alarm stays on its tag; define a new one for another tag


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
