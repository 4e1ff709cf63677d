"""The portal's own account pages, resolved before allauth's: the staff login and the password pages that answer
differently to the people of the PIN."""

from django.urls import path

from accounts import views

urlpatterns = [
    path("login/personale/", views.LoginPasswordView.as_view(), name="login_password"),
    path("password/change/", views.password_cambio),
    path("password/set/", views.password_imposta),
]
