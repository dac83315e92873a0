"""Cascading region selects that work without JavaScript and faster with it.

The widget renders one ``<select>`` per level from the roots down to the chosen region's
children. Without JavaScript, the form's "下一级" button re-renders with the next level; with
``static/js/cascade.js`` each change fetches the children (``routing:region-children``) in place.
The submitted value is the deepest level the user picked.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Region, RegionLevel

MAX_LEVELS = 8


def _parents(codes: list[str]) -> dict[str, str | None]:
    """Each known code's parent code: from the directory snapshot inside ``directory_pinned`` (the
    window form's request: no query), else one query."""
    from .dispatch import pinned_index

    index = pinned_index()
    if index is not None:
        return {code: index.regions[code].parent for code in codes if code in index.regions}
    return dict(Region.objects.filter(code__in=codes).values_list("code", "parent__code"))


class RegionCascadeWidget(forms.Widget):
    template_name = "routing/widgets/region_cascade.html"

    def value_from_datadict(self, data, files, name):
        picked = []
        for i in range(MAX_LEVELS):
            code = data.get(f"{name}_{i}", "").strip()
            if not code:
                break
            picked.append(code)
        if not picked:
            return data.get(name, "").strip() or None
        # Without JavaScript a user may change a higher level while a deeper one is still
        # selected: keep the levels only as long as each is a child of the one above.
        parents = _parents(picked)
        chain = [picked[0]]
        for code in picked[1:]:
            if code not in parents:
                return code  # unknown: let the form say so
            if parents[code] != chain[-1]:
                break
            chain.append(code)
        return chain[-1]

    def id_for_label(self, id_):
        # The label (and an error summary's link) reaches the first select, which exists.
        return f"{id_}_0" if id_ else id_

    def value_omitted_from_data(self, data, files, name):
        return not any(f"{name}_{i}" in data for i in range(MAX_LEVELS)) and name not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chain: list[Region] = []
        if value:
            region = Region.objects.filter(code=value).first()
            if region is not None:
                chain = list(Region.objects.filter(code__in=region.ancestor_codes).order_by("depth"))
        levels = []
        parent_ids: list[int | None] = [None] + [r.id for r in chain]
        # Children of every region on the chain, one query.
        children = Region.objects.filter(parent_id__in=[p for p in parent_ids if p]).order_by("code")
        roots = Region.objects.filter(parent__isnull=True).order_by("code")
        by_parent: dict[int | None, list[Region]] = {None: list(roots)}
        for child in children:
            by_parent.setdefault(child.parent_id, []).append(child)
        for depth, parent_id in enumerate(parent_ids):
            options = by_parent.get(parent_id, [])
            if not options:
                break
            selected = chain[depth].code if depth < len(chain) else ""
            if not selected and len(options) == 1 and depth < MAX_LEVELS - 1:
                # A single choice (one province, one city) is picked for the user.
                chain.append(options[0])
                parent_ids.append(options[0].id)
                extra = Region.objects.filter(parent_id=options[0].id).order_by("code")
                by_parent[options[0].id] = list(extra)
                selected = options[0].code
            label = RegionLevel(options[0].level).label
            levels.append({"index": depth, "label": label, "options": options, "selected": selected})
        context["widget"]["levels"] = levels
        context["widget"]["children_url"] = reverse("routing:region-children")
        context["widget"]["placeholder"] = _("请选择")
        return context
