from typing import TYPE_CHECKING

from django import forms

from .models import Notice

if TYPE_CHECKING:  # the stubs' ModelForm is generic; Django's own is not subscriptable at run time
    _NoticeModelForm = forms.ModelForm[Notice]
else:
    _NoticeModelForm = forms.ModelForm


class NoticeForm(_NoticeModelForm):
    class Meta:
        model = Notice
        fields = ["title", "kind", "body", "expires_at"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4}),
                   "expires_at": forms.DateTimeInput(attrs={"type": "datetime-local"})}
