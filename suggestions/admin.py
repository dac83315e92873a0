from django.contrib import admin

from .models import Suggestion, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["title", "centre", "opens_on", "closes_on"]
    list_select_related = ["centre"]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["topic", "created_at", "verdict", "hidden"]
    list_select_related = ["topic"]
    readonly_fields = ["author", "hidden_by", "hidden_at", "hidden_reason", "replied_by", "replied_at"]
