"""The calls app's URLs, one module per area (public and applicants, staff, form builder)."""

from .urls_applicant import urlpatterns as applicant_urls
from .urls_builder import urlpatterns as builder_urls
from .urls_funnel import urlpatterns as funnel_urls
from .urls_labels import urlpatterns as labels_urls
from .urls_messaging import urlpatterns as messaging_urls
from .urls_sessions import urlpatterns as session_urls
from .urls_staff import urlpatterns as staff_urls

app_name = "calls"
urlpatterns = (
    applicant_urls
    + staff_urls
    + builder_urls
    + messaging_urls
    + labels_urls
    + session_urls
    + funnel_urls
)
