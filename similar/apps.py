from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SimilarConfig(AppConfig):
    name = "similar"
    verbose_name = _("相似诉求")

    def ready(self):
        # keeping the index fresh is bookkeeping, not business logic: every path that writes a
        # case's text is caught here, so no caller indexes by hand (docs/search.md)
        from django.db.models.signals import post_save

        from cases.models import Case
        from cases.signals import cases_imported
        from routing.models import DirectoryVersion
        from similar.index import on_case_saved, on_cases_imported, on_directory_changed

        post_save.connect(on_case_saved, sender=Case, dispatch_uid="similar-index-case")
        cases_imported.connect(on_cases_imported, sender=Case, dispatch_uid="similar-index-import")
        # a region moved to another town (or a matter to another branch) changes the rows' copies
        post_save.connect(on_directory_changed, sender=DirectoryVersion, dispatch_uid="similar-index-directory")
