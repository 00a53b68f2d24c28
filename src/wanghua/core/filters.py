import django_filters
from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, JobRun, LoginEvent


def audited_types(request=None):
    """The record types the audit trail can hold: every model of every app that keeps an audit."""
    from django.apps import apps

    from .audit import AuditedModel

    audited = [m for m in apps.get_models() if issubclass(m, AuditedModel) and not m._meta.proxy]
    ids = [t.pk for t in ContentType.objects.get_for_models(*audited).values()]
    return ContentType.objects.filter(pk__in=ids).order_by("app_label", "model")


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains", label=_("Actor"))
    action = django_filters.ChoiceFilter(choices=AuditEntry.ACTIONS, label=_("Action"))
    content_type = django_filters.ModelChoiceFilter(queryset=audited_types, label=_("Record type"))  # type: ignore[arg-type]  # django-filter also takes a callable of the request
    request_id = django_filters.CharFilter(label=_("Request id"))
    since = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = AuditEntry
        fields = ["actor", "action", "content_type", "request_id", "since", "until"]


class LoginFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains", label=_("Username"))
    success = django_filters.BooleanFilter(label=_("Succeeded"))
    since = django_filters.DateFilter(field_name="timestamp", lookup_expr="date__gte", label=_("From"))

    class Meta:
        model = LoginEvent
        fields = ["username", "success", "since"]


def _job_choices():
    from .jobs import choices

    return choices()


class JobRunFilter(django_filters.FilterSet):
    job = django_filters.ChoiceFilter(choices=_job_choices, label=_("Job"))
    trigger = django_filters.ChoiceFilter(choices=JobRun.Trigger.choices, label=_("Trigger"))
    succeeded = django_filters.BooleanFilter(label=_("Succeeded"))
    error = django_filters.CharFilter(lookup_expr="icontains", label=_("Error contains"))
    since = django_filters.DateFilter(field_name="started_at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="started_at", lookup_expr="date__lte", label=_("To"))

    class Meta:
        model = JobRun
        fields = ["job", "trigger", "succeeded", "error", "since", "until"]
