"""URLs of the calls app's message threads: see calls/urls.py."""

from django.urls import path

from . import views_messaging as views

urlpatterns = [
    path("messages/", views.my_messages, name="my_messages"),
    path("messages/<int:pk>/", views.thread_view, name="thread"),
    path("messages/pieces/<int:pk>/", views.message_attachment, name="message_attachment"),
    path(
        "candidatures/<int:pk>/messages/",
        views.application_messages,
        name="application_messages",
    ),
    path("appels/<slug:slug>/question/", views.call_question, name="call_question"),
    path("gestion/messages/", views.backoffice_inbox, name="backoffice_inbox"),
    path("gestion/messages/<int:pk>/attente/", views.thread_awaiting, name="thread_awaiting"),
    path("gestion/messages/<int:pk>/faq/", views.thread_publish_faq, name="thread_publish_faq"),
]
