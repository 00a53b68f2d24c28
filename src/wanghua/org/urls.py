from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("regions/", views.RegionListView.as_view(), name="regions"),
    path("regions/tree/", views.region_tree, name="region_tree"),
    path("regions/new/", views.RegionCreateView.as_view(), name="region_create"),
    path("regions/<int:pk>/", views.region_detail, name="region_detail"),
    path("regions/<int:pk>/children/", views.region_children, name="region_children"),
    path("regions/<int:pk>/edit/", views.RegionUpdateView.as_view(), name="region_update"),
    path("regions/<int:pk>/delete/", views.RegionDeleteView.as_view(), name="region_delete"),
    path("units/", views.UnitListView.as_view(), name="units"),
    path("units/new/", views.UnitCreateView.as_view(), name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/edit/", views.UnitUpdateView.as_view(), name="unit_update"),
    path("units/<int:pk>/delete/", views.UnitDeleteView.as_view(), name="unit_delete"),
    path("people/", views.PersonListView.as_view(), name="people"),
    path("people/new/", views.PersonCreateView.as_view(), name="person_create"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("people/<int:pk>/edit/", views.PersonUpdateView.as_view(), name="person_update"),
    path("people/<int:pk>/delete/", views.PersonDeleteView.as_view(), name="person_delete"),
    path("roles/", views.roles, name="roles"),
    path("roles/new/", views.role_create, name="role_create"),
    path("roles/<int:pk>/", views.role_detail, name="role_detail"),
    path("users/", views.AccountListView.as_view(), name="accounts"),
    path("users/new/", views.account_create, name="account_create"),
    path("users/<int:pk>/", views.account_detail, name="account_detail"),
    path("users/<int:pk>/edit/", views.AccountUpdateView.as_view(), name="account_update"),
    path("users/<int:pk>/active/", views.account_set_active, name="account_set_active"),
    path("users/<int:pk>/password/", views.account_reset_password, name="account_reset_password"),
    path("users/<int:pk>/roles/", views.account_grant, name="account_grant"),
    path("users/<int:pk>/roles/<int:assignment_id>/revoke/", views.account_revoke, name="account_revoke"),
    path("assignments/", views.AssignmentListView.as_view(), name="assignments"),
    path("assignments/grant/", views.grant_role, name="grant_role"),
    path("assignments/<int:pk>/revoke/", views.revoke_role, name="revoke_role"),
]
