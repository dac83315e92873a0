"""Knowledge-base snippets that other apps' templates include (one ``{% include %}`` line each)."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string

from routing.models import MatterType

from .. import selectors
from ..views import CODE

register = template.Library()


@register.simple_tag
def kb_tips_for(matter_code):
    """The citizen tips for the matter already chosen when the claim form is shown (again)."""
    matter = None
    if isinstance(matter_code, str) and CODE.fullmatch(matter_code):
        matter = MatterType.objects.filter(code=matter_code, active=True).first()
    tips = selectors.citizen_tips(matter) if matter else []
    return render_to_string("kb/_tips_body.html", {"tips": tips, "matter": matter})


@register.simple_tag
def kb_letter_laws(letter):
    """The KB's laws for a consult letter's matter, minus those the letter lists already."""
    if letter is None or not getattr(letter, "matter_id", None):
        return []
    return selectors.letter_laws(letter.matter, cited=(letter.result or {}).get("laws") or [])
