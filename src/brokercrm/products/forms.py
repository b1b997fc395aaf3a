"""Forms of the product pages: the enrichment form and the recommendation forms."""
from django import forms
from django.utils.translation import gettext_lazy as _

from brokercrm.products.models import Product, Recommendation

CHANNELS = Recommendation.Channel.choices


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ["name", "product_type", "issuer", "risk_level", "min_subscription", "term_days", "fees", "sale_start", "sale_end",
                  "status", "target_segments", "prospectus", "risk_disclosure", "description"]
        widgets = {"sale_start": forms.DateInput(attrs={"type": "date"}), "sale_end": forms.DateInput(attrs={"type": "date"}),
                   "description": forms.Textarea(attrs={"rows": 3})}


class CampaignForm(forms.Form):
    """Product → the customers it suits, within scope, narrowed by segment, tier, assets and holdings."""

    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNELS)
    tier = forms.CharField(label=_("Tier"), required=False)
    segment_group = forms.CharField(label=_("Behaviour group"), required=False)
    assets_at_least_minimum = forms.BooleanField(label=_("Assets ≥ minimum subscription"), required=False, initial=True)
    not_holding = forms.BooleanField(label=_("Not already holding"), required=False, initial=True)

    def __init__(self, *args, tier_choices=(), group_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"] = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", "—"), *tier_choices])
        self.fields["segment_group"] = forms.ChoiceField(label=_("Behaviour group"), required=False, choices=[("", "—"), *group_choices])


class RecommendForm(forms.Form):
    """Customer → one product, on the 360 page."""

    market = forms.CharField(widget=forms.HiddenInput)
    security_code = forms.CharField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNELS)
