"""Message threads; the entry points about one subject live in the subject's app."""

from django.urls import path

from . import views

app_name = "messaging"
urlpatterns = [
    path("messages/", views.my_messages, name="my_messages"),
    path("messages/<int:pk>/", views.thread_view, name="thread"),
    path("messages/pieces/<int:pk>/", views.message_attachment, name="message_attachment"),
    path("gestion/messages/", views.backoffice_inbox, name="backoffice_inbox"),
    path("gestion/messages/<int:pk>/attente/", views.thread_awaiting, name="thread_awaiting"),
]
