"""SanitizedHTMLField, and the form field ModelForms and the admin get for the model
fields: widgets and keywords kept, values cleaned or refused, stored HTML round-trips."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django import forms
from django.contrib.admin.models import LogEntry
from django.contrib.admin.widgets import AdminTextareaWidget, AdminTextInputWidget
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.utils.safestring import SafeData

import htmlguard as hg
from htmlguard.django.forms import SanitizedHTMLField
from integrations.django_site.testapp.models import Post

UGC = hg.Policy.preset("ugc")


class PostForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Post
        fields = ["title", "body", "bio"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3, "class": "editor"})}


class RejectingForm(forms.Form):
    bio = SanitizedHTMLField(policy="bio", mode="reject", max_length=40)


# ---------------------------------------------------------------- the form field


def test_clean_mode_sanitizes_and_marks_safe() -> None:
    field = SanitizedHTMLField(policy="ugc")
    value = field.clean('<p onclick="x()">hi</p><script>alert(1)</script>')
    assert value == "<p>hi</p>"
    assert isinstance(value, SafeData)


def test_default_policy_comes_from_settings(settings: object) -> None:
    field = SanitizedHTMLField()
    assert field.clean("<p><b>x</b></p>") == "<p><b>x</b></p>"
    settings.HTMLGUARD_DEFAULT_POLICY = "bio"  # type: ignore[attr-defined]
    assert field.clean("<p><b>x</b></p>") == "<b>x</b>"


def test_reject_mode_names_what_would_be_removed() -> None:
    form = RejectingForm(data={"bio": '<b onclick="x()">hi</b>'})
    assert not form.is_valid()
    (error,) = form.errors.as_data()["bio"]
    assert error.code == "disallowed_html"
    assert form.errors["bio"] == ["Disallowed HTML: would remove 1 attribute (b[onclick])"]
    ok = RejectingForm(data={"bio": "<b>hi</b> &amp; bye"})
    assert ok.is_valid(), ok.errors
    assert ok.cleaned_data["bio"] == "<b>hi</b> &amp; bye"  # kept as typed


def test_max_length_applies_to_the_sanitized_value() -> None:
    field = SanitizedHTMLField(policy="bio", max_length=10)
    assert field.clean("<b>01</b><u>2</u>") == "<b>01</b>2"  # 17 characters typed
    with pytest.raises(forms.ValidationError):
        field.clean("&&&")  # 3 characters typed, 15 once escaped


def test_too_large_input_is_a_validation_error(settings: object) -> None:
    settings.HTMLGUARD_POLICIES = {"tiny": {"tags": ["b"], "max_input_bytes": 8}}  # type: ignore[attr-defined]
    for mode in ("clean", "reject"):
        with pytest.raises(forms.ValidationError) as e:
            SanitizedHTMLField(policy="tiny", mode=mode).clean("<b>far too long</b>")
        assert e.value.code == "too_large"


def test_empty_values_and_required() -> None:
    assert SanitizedHTMLField(required=False).clean("") == ""
    assert SanitizedHTMLField(required=False, empty_value=None).clean("") is None
    with pytest.raises(forms.ValidationError):
        SanitizedHTMLField().clean("   ")


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="mode must be one of clean, reject"):
        SanitizedHTMLField(mode="strip")
    with pytest.raises(TypeError, match="policy must be"):
        SanitizedHTMLField(policy=3)  # type: ignore[arg-type]
    with pytest.raises(hg.UnknownPolicyError):
        SanitizedHTMLField(policy="no-such-policy").clean("x")


def test_widget_shows_html_as_text() -> None:
    stored = UGC.sanitize("<p>a &lt;b&gt; &amp; <b>c</b></p>")
    bound = type("F", (forms.Form,), {"body": SanitizedHTMLField()})(initial={"body": stored})
    rendered = str(bound["body"])
    content = re.search(r"<textarea[^>]*>\n?(.*)</textarea>", rendered, re.S)
    assert content is not None
    assert unescape(content.group(1)) == stored  # escaped exactly once


# ---------------------------------------------------------------- ModelForms


def test_modelform_picks_the_field_and_keeps_options() -> None:
    form = PostForm()
    title, body, bio = (form.fields[n] for n in ("title", "body", "bio"))
    assert all(isinstance(f, SanitizedHTMLField) for f in (title, body, bio))
    assert (title.policy, body.policy, bio.policy) == ("strict", "ugc", "bio")
    assert title.max_length == 60 and isinstance(title.widget, forms.TextInput)
    assert isinstance(body.widget, forms.Textarea) and body.widget.attrs["class"] == "editor"
    assert body.required and not bio.required
    assert bio.empty_value is None  # a nullable field stores None, not ""


def test_modelform_field_classes_and_overrides_are_kept() -> None:
    class Strict(SanitizedHTMLField):
        pass

    class Form(forms.ModelForm):  # type: ignore[type-arg]
        class Meta:
            model = Post
            fields = ["body", "bio"]
            field_classes = {"body": forms.CharField, "bio": Strict}

    form = Form()
    assert type(form.fields["body"]) is forms.CharField
    assert type(form.fields["bio"]) is Strict and form.fields["bio"].policy == "bio"


@pytest.mark.django_db
def test_modelform_saves_clean_html_and_none() -> None:
    form = PostForm(data={"title": "<i>T</i>", "body": "<p>x<script>y</script></p>", "bio": ""})
    assert form.is_valid(), form.errors
    post = form.save()
    with connection.cursor() as cur:
        cur.execute("SELECT title, body, bio FROM testapp_post WHERE id = %s", [post.pk])
        assert cur.fetchone() == ("T", "<p>x</p>", None)


@pytest.mark.django_db
def test_unchanged_value_has_not_changed() -> None:
    stored = Post.objects.create(title="t", body='<p>a &amp; <a href="https://x.test/">b</a></p>')
    post = Post.objects.get(pk=stored.pk)
    initial = forms.model_to_dict(post)
    # a browser sends the textarea back with CRLF line ends
    form = PostForm(
        data={"title": "t", "body": initial["body"].replace("\n", "\r\n"), "bio": ""},
        instance=post,
    )
    assert form.is_valid(), form.errors
    assert not form.has_changed(), form.changed_data


# ---------------------------------------------------------------- the admin


@pytest.fixture
def admin_client(db: None) -> Client:
    User.objects.create_superuser("admin", "admin@example.test", "pw")
    client = Client()
    client.login(username="admin", password="pw")
    return client


def textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    assert match is not None, f"no textarea {name}"
    return unescape(match.group(1))


def test_admin_uses_the_field_with_admin_widgets() -> None:
    from django.contrib import admin

    model_admin = admin.site._registry[Post]
    body = model_admin.formfield_for_dbfield(Post._meta.get_field("body"), request=None)
    title = model_admin.formfield_for_dbfield(Post._meta.get_field("title"), request=None)
    assert isinstance(body, SanitizedHTMLField) and isinstance(body.widget, AdminTextareaWidget)
    assert isinstance(title, SanitizedHTMLField)
    assert isinstance(title.widget, AdminTextInputWidget)


def test_admin_round_trip_changes_nothing(admin_client: Client) -> None:
    body = (
        '<p>x &lt;script&gt; &amp; <b>y</b>\n<a href="https://x.test/" '
        'rel="nofollow noopener noreferrer">z</a></p>'
    )
    post = Post.objects.create(title="t", body=body)
    with connection.cursor() as cur:
        cur.execute("SELECT body FROM testapp_post WHERE id = %s", [post.pk])
        (stored,) = cur.fetchone()
    url = f"/admin/testapp/post/{post.pk}/change/"
    page = admin_client.get(url).content.decode()
    shown = textarea(page, "body")
    assert shown == stored  # the stored HTML as text, escaped once
    response = admin_client.post(
        url,
        {
            "title": "t",
            "body": shown.replace("\n", "\r\n"),
            "bio": "",
            "links": "",
            "summary": "",
            "notes": "",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    with connection.cursor() as cur:
        cur.execute("SELECT body FROM testapp_post WHERE id = %s", [post.pk])
        assert cur.fetchone() == (stored,)
    entry = LogEntry.objects.latest("action_time")
    assert entry.get_change_message() == "No fields changed."


def test_admin_cleans_what_is_posted(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/testapp/post/add/",
        {
            "title": "<b>t</b>",
            "body": '<img src=x onerror="alert(1)"><p>ok</p>',
            "bio": "",
            "links": "",
            "summary": "",
            "notes": "",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    with connection.cursor() as cur:
        cur.execute("SELECT title, body, bio FROM testapp_post")
        assert cur.fetchall() == [("t", '<img src="x"><p>ok</p>', None)]
