from django.contrib import admin

from .models import Message, Thread


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "subject_type", "awaiting", "last_message_at"]
    list_select_related = ["organisation", "subject_type"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["thread", "author", "created_at", "from_operator"]
    list_select_related = ["thread", "author"]
