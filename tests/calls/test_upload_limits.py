"""The request size limit (core's RequestSizeMiddleware) leaves room for every upload allowed."""

from django.conf import settings

from qmi.calls.services.builder import MAX_DOCUMENT_MB
from qmi.messaging.services import ATTACHMENT_MAX_MB, MAX_ATTACHMENTS


def test_the_default_request_limit_is_above_every_upload_the_platform_allows():
    assert settings.QMI_MAX_REQUEST_MB > MAX_DOCUMENT_MB
    assert settings.QMI_MAX_REQUEST_MB > MAX_ATTACHMENTS * ATTACHMENT_MAX_MB
