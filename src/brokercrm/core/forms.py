"""Form pieces several apps share."""
from django import forms
from django.utils.translation import gettext_lazy as _


class CopyToCategoryForm(forms.Form):
    """Copy a definition under a new code for a staff category and, optionally, one of its levels.

    `categories` are the organisation's plain references (code, label, levels with code and label); the level
    comes back as its code within the chosen category.
    """

    code = forms.CharField(label=_("New code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    category = forms.ChoiceField(label=_("Staff category"))
    level = forms.ChoiceField(label=_("Level"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        categories = list(categories)
        self.fields["category"].choices = [(c.code, c.label) for c in categories]
        self.fields["level"].choices = [("", "—")] + [(f"{c.code}:{lv.code}", f"{c.label} · {lv.label}") for c in categories for lv in c.levels]

    def clean(self) -> dict:
        data = super().clean()
        category, _sep, level = (data.get("level") or "").partition(":")
        if level and category != data.get("category"):
            self.add_error("level", "the level does not belong to the category")
        data["level"] = level
        return data
