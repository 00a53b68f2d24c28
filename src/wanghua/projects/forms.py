from django import forms
from django.utils.translation import gettext_lazy as _

from wanghua.org.models import Unit, UnitKind

from .models import IssueCategory


class ReportForm(forms.Form):
    month = forms.DateField(label=_("month"), widget=forms.DateInput(attrs={"type": "month"}),
                            input_formats=["%Y-%m", "%Y-%m-%d"])
    fai = forms.DecimalField(label=_("fixed-asset investment completed (10k yuan)"), min_value=0, max_digits=12,
                             decimal_places=2)
    progress = forms.CharField(label=_("progress"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    next_steps = forms.CharField(label=_("next steps"), max_length=1000, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))


class IssueForm(forms.Form):
    category = forms.ChoiceField(label=_("category"), choices=IssueCategory.choices)
    description = forms.CharField(label=_("description"), max_length=1000)
    owner_unit = forms.ModelChoiceField(label=_("owner unit"), queryset=Unit.objects.filter(
        kind__in=[UnitKind.DEPARTMENT, UnitKind.STREET_GOV, UnitKind.GOVERNMENT, UnitKind.ENTERPRISE]))
    deadline = forms.DateField(label=_("deadline"), widget=forms.DateInput(attrs={"type": "date"}))
