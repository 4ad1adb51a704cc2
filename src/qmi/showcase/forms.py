from django import forms

from .models import SitePage
from .services import SITE_PAGE_FIELDS


class SitePageForm(forms.ModelForm):
    class Meta:
        model = SitePage
        fields = SITE_PAGE_FIELDS
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}
