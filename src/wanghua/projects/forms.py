from django import forms
from django.utils.translation import gettext_lazy as _

from wanghua.org.models import Region, RegionLevel, Unit, UnitKind

from .models import Application, IssueCategory, Lead, MonthlyReport, Project, ServiceKind


class ReportForm(forms.Form):
    """A month's report, submitted from the project page (a new record: `instance` is always None)."""

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, **kwargs)

    month = forms.DateField(label=_("month"), widget=forms.DateInput(attrs={"type": "month"}),
                            input_formats=["%Y-%m", "%Y-%m-%d"])
    fai = forms.DecimalField(label=_("fixed-asset investment completed (10k yuan)"), min_value=0, max_digits=12,
                             decimal_places=2)
    progress = forms.CharField(label=_("progress"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    next_steps = forms.CharField(label=_("next steps"), max_length=1000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(forms.ModelForm):
    """更正: what a returned report may change."""

    class Meta:
        model = MonthlyReport
        fields = ["fai", "progress", "next_steps"]
        widgets = {"progress": forms.Textarea(attrs={"rows": 2}), "next_steps": forms.Textarea(attrs={"rows": 2})}


class IssueForm(forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=IssueCategory.choices)
    description = forms.CharField(label=_("description"), max_length=1000)
    owner_unit = forms.ModelChoiceField(label=_("owner unit"), queryset=Unit.objects.filter(
        kind__in=[UnitKind.DEPARTMENT, UnitKind.STREET_GOV, UnitKind.GOVERNMENT, UnitKind.ENTERPRISE]))
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}))


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ServiceKind.choices)
    served_on = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    unit = forms.ModelChoiceField(label=_("serving unit"), queryset=Unit.objects.filter(
        kind__in=[UnitKind.DEPARTMENT, UnitKind.STREET_GOV, UnitKind.GOVERNMENT]))
    description = forms.CharField(label=_("description"), max_length=1000)


def _limit_to_grants(form, user, model) -> None:
    """Units and towns offered are those the user may add records for."""
    units = Unit.objects.visible_to(user, f"projects.add_{model}").filter(
        kind__in=[UnitKind.DEPARTMENT, UnitKind.STREET_GOV, UnitKind.GOVERNMENT])
    form.fields["unit"].queryset = units
    form.fields["town"].queryset = Region.objects.filter(level=RegionLevel.STREET)


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["title", "kind", "level", "project", "unit", "town", "requested", "note"]

    def limit_choices(self, user) -> None:
        _limit_to_grants(self, user, "application")
        self.fields["project"].queryset = Project.objects.visible_to(user)  # type: ignore[attr-defined]  # a ModelChoiceField; the stubs type form.fields as Field


class DecisionForm(forms.Form):
    won = forms.DecimalField(label=_("won (10k yuan)"), min_value=0, max_digits=12, decimal_places=2)
    on = forms.DateField(label=_("decided"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("note"), max_length=500, required=False)


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = ["name", "investor", "industry", "zone", "unit", "town", "amount", "contacted_on", "note"]
        widgets = {"contacted_on": forms.DateInput(attrs={"type": "date"})}

    def limit_choices(self, user) -> None:
        _limit_to_grants(self, user, "lead")


class LedgerForm(forms.Form):
    ledger = forms.FileField(label=_("Project ledger (.xlsx)"),
                             widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))


class WeightsForm(forms.Form):
    """One weight and an on/off switch per indicator of one kind of subject."""

    def __init__(self, indicators, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for row in indicators:
            self.fields[f"weight_{row.metric}"] = forms.DecimalField(
                label=row.get_metric_display(), min_value=0, max_value=100, max_digits=5, decimal_places=1,
                initial=row.weight)
            self.fields[f"active_{row.metric}"] = forms.BooleanField(label=_("active"), required=False,
                                                                     initial=row.active)

    def weights(self) -> dict:
        return {r.metric: self.cleaned_data[f"weight_{r.metric}"] for r in self.indicators}

    def switches(self) -> dict:
        return {r.metric: self.cleaned_data[f"active_{r.metric}"] for r in self.indicators}
