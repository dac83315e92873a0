from django.contrib import admin

from .models import ServicePoint


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "address", "hours", "phone"]
    search_fields = ["name", "region__name", "region__code", "address"]
    autocomplete_fields = ["region"]
