"""htmlguard.wtforms: SanitizedHTMLField and NoDisallowedHTML on plain wtforms.Form (no Flask)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form, StringField, TextAreaField
from wtforms.validators import DataRequired

import htmlguard as hg
from htmlguard.wtforms import (
    NoDisallowedHTML,
    SanitizedHTMLField,
    _would_remove,
    disallowed_message,
)

DIRTY = '<p>Hi <a href="/x" onclick="steal()">there</a><script>alert(1)</script></p>'
ONCLICK = '<a href="/x" onclick="steal()">there</a>'


class DummyPostData(dict[str, list[str]]):
    """The minimal formdata WTForms needs (``getlist``), as in WTForms' own tests."""

    def getlist(self, key: str) -> list[str]:
        return self[key]


class PostForm(Form):
    body = SanitizedHTMLField("Body")
    strict = SanitizedHTMLField("Strict", policy="strict")
    bio = SanitizedHTMLField("Bio", policy="basic", mode="reject")
    title = StringField("Title", validators=[NoDisallowedHTML("strict")])


def post(form_cls: type[Form] = PostForm, **fields: str) -> Any:
    return form_cls(DummyPostData({k: [v] for k, v in fields.items()}))


@pytest.fixture
def late_name() -> Iterator[str]:
    name = "test-wtforms-late"
    yield name
    if name in hg.policies:
        hg.policies.unregister(name)


def test_field_is_a_textarea() -> None:
    form = PostForm()
    assert isinstance(form.body, TextAreaField)
    assert "<textarea" in str(form.body())


def test_clean_mode_sanitizes_data_and_keeps_raw_data() -> None:
    form = post(body=DIRTY, strict="<p><b>x</b></p>")
    assert form.body.data == hg.sanitize(DIRTY, "ugc")
    assert "onclick" not in form.body.data and "script" not in form.body.data
    assert form.body.raw_data == [DIRTY]
    assert form.strict.data == hg.sanitize("<p><b>x</b></p>", "strict")
    assert form.strict.data != "<p><b>x</b></p>"
    assert form.validate()  # cleaning is not an error
    assert form.errors == {}


def test_clean_mode_with_multidict_formdata() -> None:
    form = PostForm(MultiDict([("body", ONCLICK), ("body", "second value")]))
    assert form.body.raw_data == [ONCLICK, "second value"]
    assert form.body.data == hg.sanitize(ONCLICK)


def test_missing_and_empty_values() -> None:
    form = post(body="")
    assert form.body.data == ""
    form = post(title="x")
    assert form.body.data in ("", None)
    assert form.validate()


def test_data_from_the_app_is_not_touched() -> None:
    form = PostForm(data={"body": "<b onclick='x()'>trusted</b>"})
    assert form.body.data == "<b onclick='x()'>trusted</b>"


def test_reject_mode_keeps_data_and_names_what_is_disallowed() -> None:
    form = post(bio=ONCLICK)
    assert form.bio.data == ONCLICK
    assert not form.validate()
    # Nothing was removed (data is what was sent), so the message says what *would* be.
    assert form.errors == {"bio": ["Disallowed HTML: would remove 1 attribute (a[onclick])"]}


def test_reject_mode_accepts_clean_html() -> None:
    form = post(bio="<p>Hi <b>there</b></p>")
    assert form.validate(), form.errors
    assert form.bio.data == "<p>Hi <b>there</b></p>"


def test_reject_mode_refuses_removals_not_normalization() -> None:
    # "<b>x" comes back as "<b>x</b>": changed, but nothing disallowed was removed.
    assert hg.sanitize("<b>x", "basic") != "<b>x"
    form = post(bio="<b>x")
    assert form.validate(), form.errors
    assert form.bio.data == "<b>x"


def test_reject_mode_runs_other_validators_too() -> None:
    class F(Form):
        bio = SanitizedHTMLField(validators=[DataRequired()], mode="reject")

    assert not post(F, bio="").validate()
    form = post(F, bio="<script>x</script>")
    assert not form.validate()
    assert form.errors == {"bio": ["Disallowed HTML: would remove 1 tag (<script>)"]}


def test_policy_object_and_late_registered_name(late_name: str) -> None:
    class F(Form):
        obj = SanitizedHTMLField(policy=hg.Policy(tags={"i"}))
        late = SanitizedHTMLField(policy=late_name)
        late_reject = SanitizedHTMLField(policy=late_name, mode="reject")

    # The name is not registered when the class is defined, only when a form is used.
    hg.policies.register(late_name, hg.Policy(tags={"b"}))
    form = post(F, obj="<b>a</b><i>b</i>", late="<b>a</b><i>b</i>", late_reject="<i>z</i>")
    assert form.obj.data == "a<i>b</i>"
    assert form.late.data == "<b>a</b>b"
    assert not form.validate()
    assert list(form.errors) == ["late_reject"]


def test_unregistered_name_fails_loudly_at_use() -> None:
    class F(Form):
        body = SanitizedHTMLField(policy="test-wtforms-never")

    with pytest.raises(hg.UnknownPolicyError):
        post(F, body="<b>x</b>")


def test_too_large_input_is_a_validation_error_not_dirty_data() -> None:
    class F(Form):
        body = SanitizedHTMLField(policy=hg.Policy(tags={"b"}, max_input_bytes=10))

    form = post(F, body="<b onclick='x()'>" + "y" * 100 + "</b>")
    assert form.body.data == ""
    assert not form.validate()
    assert "body" in form.errors


def test_bad_arguments() -> None:
    class F(Form):
        body = SanitizedHTMLField(mode="scrub")

    with pytest.raises(ValueError, match="mode"):
        F()  # WTForms builds a field when its form is
    with pytest.raises(TypeError):
        NoDisallowedHTML(policy=3)  # type: ignore[arg-type]


def test_validator_on_a_string_field() -> None:
    form = post(title="Plain <b>title</b>")
    assert not form.validate()
    assert form.errors == {"title": ["Disallowed HTML: would remove 1 tag (<b>)"]}
    assert form.title.data == "Plain <b>title</b>"  # a validator never changes data
    assert post(title="Plain title & more").validate()


def test_validator_custom_message_and_policy_object() -> None:
    class F(Form):
        name = StringField(validators=[NoDisallowedHTML(hg.Policy(), message="No HTML, please")])
        notes = TextAreaField(validators=[NoDisallowedHTML()])

    form = post(F, name="<i>me</i>", notes=ONCLICK)
    assert not form.validate()
    assert form.errors["name"] == ["No HTML, please"]
    assert form.errors["notes"] == ["Disallowed HTML: would remove 1 attribute (a[onclick])"]
    assert post(F, name="me", notes="<b>fine</b>").validate()


def test_disallowed_message_rewords_every_kind_of_summary() -> None:
    dirty = '<script>x</script><!-- c --><a href="javascript:x" onclick="y">k</a>'
    report = hg.inspect(dirty, "basic")
    assert str(report).startswith("removed 1 attribute")  # the Report's own wording stays
    assert disallowed_message(report) == (
        "Disallowed HTML: would remove 1 attribute (a[onclick]); 1 comment (comment); "
        "1 tag (<script>); 1 url (a[href])"
    )
    # Only the leading verb changes, and only where it is the verb.
    assert _would_remove("nothing removed") == "nothing removed"


def test_docstring_examples() -> None:
    import doctest

    import htmlguard.wtforms

    result = doctest.testmod(htmlguard.wtforms)
    assert result.attempted > 0
    assert result.failed == 0


def test_usable_without_flask() -> None:
    # Run apart: this test process has Flask imported by other test modules.
    code = (
        "import sys\n"
        "from wtforms import Form\n"
        "from htmlguard.wtforms import SanitizedHTMLField\n"
        "class F(Form):\n"
        "    body = SanitizedHTMLField(policy='strict', mode='reject')\n"
        "class Data(dict):\n"
        "    getlist = dict.__getitem__\n"
        "f = F(Data(body=['<b>x</b>']))\n"
        "assert not f.validate() and 'flask' not in sys.modules, (f.errors, 'flask')\n"
        "print(f.errors['body'][0])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out == "Disallowed HTML: would remove 1 tag (<b>)\n"
