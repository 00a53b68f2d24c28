from django import forms

from .models import ExternalStatistic


class StatisticForm(forms.ModelForm):
    class Meta:
        model = ExternalStatistic
        fields = ["key", "name", "goal", "unit", "period", "value", "source", "published_on"]
        widgets = {"period": forms.DateInput(attrs={"type": "date"}),
                   "published_on": forms.DateInput(attrs={"type": "date"})}

    def limit_choices(self, user) -> None:
        """Nothing to narrow: the statistics are the district's."""
