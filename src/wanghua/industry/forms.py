from django import forms

from .models import AlarmDefinition, Equipment, ProductionLine, Tag


class LineForm(forms.ModelForm):
    class Meta:
        model = ProductionLine
        fields = ["name", "capacity_tonnes", "ideal_rate", "cold_after_minutes", "temperature_tag", "cold_below",
                  "min_stop_seconds", "active"]

    def limit_choices(self, user) -> None:
        self.fields["temperature_tag"].queryset = Tag.objects.visible_to(user).filter(line=self.instance, kind="number")  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "unit", "low", "high", "key", "equipment"]

    def limit_choices(self, user) -> None:
        self.fields["equipment"].queryset = Equipment.objects.visible_to(user).filter(line_id=self.instance.line_id)  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field


class AlarmForm(forms.ModelForm):
    class Meta:
        model = AlarmDefinition
        fields = ["tag", "kind", "limit", "state", "priority", "deadband", "on_delay", "off_delay", "message"]

    def limit_choices(self, user) -> None:
        self.fields["tag"].queryset = Tag.objects.visible_to(user, "industry.add_alarmdefinition").select_related(  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field
            "line")
        if self.instance.pk:
            del self.fields["tag"]  # an alarm stays on its tag; define a new one for another tag
