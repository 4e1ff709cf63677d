from django.urls import path

from identita import cns

urlpatterns = [path("accesso/cns/", cns.accesso_cns, name="accesso_cns")]
