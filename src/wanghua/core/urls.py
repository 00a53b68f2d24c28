from django.urls import path

from . import mine, views

app_name = "core"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/tokens/", views.tokens, name="tokens"),
    path("accounts/mine/", mine.mine, name="mine"),
    path("accounts/tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
    path("system/audit/", views.AuditListView.as_view(), name="audit"),
    path("system/audit/<int:content_type_id>/<str:object_id>/", views.object_trail, name="object_trail"),
    path("system/audit/user/<int:user_id>/", views.user_trail, name="user_trail"),
    path("system/logins/", views.LoginLogView.as_view(), name="logins"),
    path("system/dictionaries/", views.dictionaries, name="dictionaries"),
    path("system/dictionaries/<int:type_id>/items/", views.dictionary_item_save, name="dictionary_item_save"),
    path("system/dictionaries/items/<int:item_id>/toggle/", views.dictionary_item_toggle,
         name="dictionary_item_toggle"),
    path("system/notices/", views.NoticesView.as_view(), name="notices"),
    path("system/notices/<int:notice_id>/withdraw/", views.notice_withdraw, name="notice_withdraw"),
    path("system/notices/<int:notice_id>/read/", views.notice_read, name="notice_read"),
    path("system/jobs/", views.scheduled_jobs, name="jobs"),
    path("system/jobs/<slug:name>/run/", views.job_run_now, name="job_run_now"),
    path("system/jobs/<slug:name>/pause/", views.job_pause, name="job_pause"),
    path("system/jobs/<slug:name>/resume/", views.job_resume, name="job_resume"),
    path("system/jobs/log/", views.JobRunListView.as_view(), name="job_log"),
    path("system/jobs/log/<int:run_id>/", views.job_run, name="job_run"),
    path("system/sessions/", views.sessions, name="sessions"),
    path("system/sessions/<str:key_prefix>/end/", views.end_session, name="end_session"),
]
