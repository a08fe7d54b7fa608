"""ModelForms. The HTML fields need nothing special: ``SanitizedTextField`` and
``SanitizedCharField`` give the form a ``SanitizedHTMLField`` with their policy, so
``form.cleaned_data`` already holds the sanitized HTML and ``form.save()`` stores it."""

from __future__ import annotations

from django import forms

from .models import Post, Profile, Topic

_HTML_HELP = "HTML: whatever the policy does not allow is removed when you save."


class TopicForm(forms.ModelForm):
    class Meta:
        model = Topic
        fields = ["title"]


class PostForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts = {"body": _HTML_HELP}


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"bio": _HTML_HELP + " Allowed: b, strong, i, em, code, br, https links."}
