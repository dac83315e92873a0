from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultConfig(AppConfig):
    name = "consult"
    verbose_name = _("智能咨询")

    def ready(self) -> None:
        # The citizen claim form may be opened from a guidance letter (``?draft=<letter code>``);
        # intake sits below consult, so consult hands intake the way to read a letter's draft.
        from intake.presets import register_draft_source

        from .selectors import letter_claim_draft

        register_draft_source(letter_claim_draft)
