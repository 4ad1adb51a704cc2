"""Calls' entry points into messaging (the thread pages are qmi.messaging's): see calls/urls.py."""

from django.urls import path

from . import views_messaging as views

urlpatterns = [
    path(
        "candidatures/<int:pk>/messages/",
        views.application_messages,
        name="application_messages",
    ),
    path("appels/<slug:slug>/question/", views.call_question, name="call_question"),
    path("gestion/messages/<int:pk>/faq/", views.thread_publish_faq, name="thread_publish_faq"),
]
