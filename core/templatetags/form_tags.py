"""``{% form_error_summary form %}``: the error summary every staff form shows on a failed submit,
as the citizen's claim form does (issue #17) — how many things to fix, a link to each wrong field,
the form-wide errors — with focus moved to it by ``static/js/form-errors.js`` (loaded by the
summary itself), so a keyboard or screen-reader user lands on the summary, not the page top."""

from django import forms, template

register = template.Library()


def _anchor(bound_field) -> str:
    """The id of the control a link should reach: the first of a group of radios or checkboxes,
    else the widget's label target (a region cascade's first select)."""
    if isinstance(bound_field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound_field.auto_id}_0"
    return bound_field.id_for_label or bound_field.auto_id


@register.inclusion_tag("core/_form_error_summary.html")
def form_error_summary(form, testid: str = "form-error"):
    if form is None or not form.is_bound or not form.errors:
        return {"show": False}
    links, other = [], list(form.non_field_errors())
    for name, errors in form.errors.items():
        if name not in form.fields:
            continue
        if form.fields[name].widget.is_hidden:  # nothing to click on: say it in words
            other.extend(errors)
        else:
            links.append({"label": form[name].label, "anchor": _anchor(form[name])})
    return {"show": True, "count": max(len(links) + len(other), 1), "links": links, "other": other, "testid": testid}
