from django import forms

from .models import Notice


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["title", "kind", "body", "expires_at"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4}),
                   "expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}
