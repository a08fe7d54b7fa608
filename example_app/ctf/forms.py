"""The site's forms: plain ``wtforms.Form`` over ``request.form`` (CSRF is checked for
every form post in ``create_app``)."""

from __future__ import annotations

from wtforms import Form, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange

from htmlguard.wtforms import SanitizedHTMLField

CATEGORIES = ["web", "crypto", "forensics", "pwn", "misc"]


class LoginForm(Form):
    username = StringField("Username", [InputRequired(), Length(max=40)])
    password = PasswordField("Password", [InputRequired(), Length(max=200)])


class ProfileForm(Form):
    # Clean mode: the bio is saved with whatever the "bio" policy does not allow removed.
    bio = SanitizedHTMLField("Bio", [Length(max=4000)], policy="bio")


class CommentForm(Form):
    # Reject mode: a comment with anything the "comment" policy removes is refused, with
    # the reason shown under the field, and nothing is saved.
    body = SanitizedHTMLField(
        "Comment", [InputRequired(), Length(max=2000)], policy="comment", mode="reject"
    )


class FlagForm(Form):
    flag = StringField("Flag", [InputRequired(), Length(max=200)])


class ChallengeForm(Form):
    title = StringField("Title", [InputRequired(), Length(max=100)])
    category = SelectField("Category", choices=CATEGORIES)
    points = IntegerField("Points", [InputRequired(), NumberRange(1, 1000)], default=100)
    flag = StringField("Flag", [InputRequired(), Length(max=200)])
    description = SanitizedHTMLField("Description (HTML)", [InputRequired()], policy="challenge")
