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
    path("lab/orders/<int:pk>/analysis/", views.analysis_entry, name="analysis_entry"),
    path("lab/orders/<int:pk>/review/<str:step>/", views.ReviewStepView.as_view(), name="review_step"),
    path("lab/review/", views.ReviewQueueView.as_view(), name="review_queue"),
    path("lab/deliveries/", views.DeliveryListView.as_view(), name="deliveries"),
    path("lab/deliveries/new/", views.DeliveryCreateView.as_view(), name="delivery_create"),
    path("lab/deliveries/<int:pk>/", views.delivery_detail, name="delivery"),
    path("lab/deliveries/<int:pk>/certificate/", views.certificate_issue, name="certificate_issue"),
    path("lab/certificates/", views.CertificateListView.as_view(), name="certificates"),
    path("lab/certificates/<int:pk>/", views.certificate_delivery, name="certificate_delivery"),
    path("lab/certificates/<int:pk>/certificate.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("lab/certificates/<int:pk>/<str:step>/", views.CertificateStepView.as_view(), name="certificate_step"),
    path("lab/settings/", views.LabProfileView.as_view(), name="settings"),
    path("verify/<slug:token>/", views.verify, name="verify"),
    re_path(r"^industry/lab/(?P<rest>.*)$", views.legacy, name="legacy"),
]
