from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .kinds import kind_choices


class InboxFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("消息类别"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("没有这个消息类别，请从列表中选择。")},
    )
    unread = forms.BooleanField(label=gettext_lazy("只看未读"), required=False)

    def __init__(self, *args, staff: bool, **kwargs):
        super().__init__(*args, **kwargs)
        # A citizen's list offers only the kinds written to citizens (no staff words).
        self.fields["kind"].choices = [("", _("全部消息")), *kind_choices(staff=staff)]
