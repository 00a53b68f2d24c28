"""The lab's pages under /lab/, the public certificate check at /verify/<token>/ (the QR codes already
printed point there), and the old /industry/lab/... addresses, which redirect permanently. Included at
the site root."""

from django.urls import path, re_path

from . import views

app_name = "lab"

urlpatterns = [
    path("lab/", views.OrderListView.as_view(), name="orders"),
    path("lab/orders/new/", views.order_create, name="order_create"),
    path("lab/analysis/", views.analysis, name="analysis"),
    path("lab/orders/<int:pk>/", views.order_detail, name="order"),
    path("lab/orders/<int:pk>/specimens/<int:specimen_id>/result/", views.result_entry, name="result"),
    path("lab/orders/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
    path("verify/<slug:token>/", views.verify, name="verify"),
    re_path(r"^industry/lab/(?P<rest>.*)$", views.legacy, name="legacy"),
]
