"""htmlguard.flask: the HTMLGuard extension, driven through Flask's test client (no server)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, render_template_string, request
from wtforms import Form, StringField

import htmlguard as hg
from htmlguard.flask import HTMLGuard, HTMLGuardState, get_state, resolve_policy
from htmlguard.wsgi import HTMLGuardMiddleware
from htmlguard.wtforms import NoDisallowedHTML, SanitizedHTMLField

DIRTY = '<p onclick="steal()">Hi <script>alert(1)</script><b>there</b></p>'
CLEAN_UGC = "<p>Hi <b>there</b></p>"
BIO = {"tags": ["b", "i"]}  # a dict for Policy.from_dict
BIO_NAME = "test-flask-bio"


@pytest.fixture(autouse=True)
def _global_registry_untouched() -> Iterator[None]:
    """The extension keeps an app's policies to itself: no test may change the registry."""
    before = {name: hg.policies[name] for name in hg.policies.names()}
    yield
    assert {name: hg.policies[name] for name in hg.policies.names()} == before


@pytest.fixture
def global_bio() -> Iterator[hg.Policy]:
    """A "bio" registered globally by the program, as an app without the extension uses."""
    policy = hg.Policy(tags={"u"})
    previous = hg.policies.get("bio")  # the Django test project, configured too, has one
    hg.policies.register("bio", policy, replace=True)
    yield policy
    hg.policies.unregister("bio")
    if previous is not None:
        hg.policies.register("bio", previous)


def make_app(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)

    @app.post("/echo")
    @app.post("/api/echo")
    def echo() -> dict[str, Any]:
        return {k: request.form.getlist(k) for k in request.form}

    @app.get("/render")
    def render() -> str:
        return render_template_string(
            request.args.get("t", "{{ v|sanitize }}"), v=request.args.get("v")
        )

    return app


# ---------------------------------------------------------------- the extension


def test_init_with_app() -> None:
    app = make_app()
    original = app.wsgi_app
    guard = HTMLGuard(app)
    state = app.extensions["htmlguard"]
    assert isinstance(state, HTMLGuardState)
    assert state.default_policy == "ugc"
    assert state.policies == {}
    assert state.middleware is None
    assert app.wsgi_app == original  # no HTMLGUARD_FIELDS: no middleware
    assert "sanitize" in app.jinja_env.filters
    assert get_state(app) is state
    assert "app" not in vars(guard)


def test_init_app_factory_style_on_two_apps() -> None:
    guard = HTMLGuard()
    assert "htmlguard" not in make_app().extensions
    a = make_app(HTMLGUARD_DEFAULT_POLICY="strict")
    b = make_app(HTMLGUARD_POLICIES={BIO_NAME: BIO}, HTMLGUARD_DEFAULT_POLICY=BIO_NAME)
    guard.init_app(a)
    guard.init_app(b)
    assert not any(isinstance(v, Flask) for v in vars(guard).values())  # no app stored
    assert a.extensions["htmlguard"].default_policy == "strict"
    assert b.extensions["htmlguard"].default_policy == BIO_NAME
    assert b.extensions["htmlguard"].policies == {BIO_NAME: hg.Policy.from_dict(BIO)}
    html = "<p><b>x</b><u>y</u></p>"
    with a.app_context():
        assert guard.sanitize(html) == hg.sanitize(html, "strict")
    with b.app_context():
        assert guard.sanitize(html) == "<b>x</b>y"
        assert guard.sanitize(html, "ugc") == html
        assert str(guard.inspect('<i onclick="x()">z</i>')) == "removed 1 attribute (i[onclick])"


def test_sanitize_needs_an_initialised_app() -> None:
    guard = HTMLGuard()
    with pytest.raises(RuntimeError):  # no app context at all
        guard.sanitize("<b>x</b>")
    app = make_app()
    with app.app_context(), pytest.raises(RuntimeError, match="not initialised"):
        guard.sanitize("<b>x</b>")


def test_configured_policies_are_the_apps_own() -> None:
    only_i = hg.Policy(tags={"i"})
    app = make_app(
        HTMLGUARD_POLICIES={BIO_NAME: BIO, "test-flask-empty": {}, "test-flask-i": only_i}
    )
    HTMLGuard(app)
    state = app.extensions["htmlguard"]
    assert list(state.policies) == [BIO_NAME, "test-flask-empty", "test-flask-i"]  # config order
    assert state.policies[BIO_NAME] == hg.Policy.from_dict(BIO)
    assert state.policies["test-flask-i"] is only_i
    with pytest.raises(TypeError):
        state.policies["x"] = only_i  # type: ignore[index]  # read-only
    assert BIO_NAME not in hg.policies  # not registered process-wide
    assert state.resolve(BIO_NAME).sanitize("<b>a</b><u>b</u>") == "<b>a</b>b"
    assert state.resolve("test-flask-empty").sanitize("<b>a</b>") == "a"
    assert state.resolve("strict") is hg.policies["strict"]  # then the global registry
    with pytest.raises(hg.UnknownPolicyError, match=r"HTMLGUARD_POLICIES: test-flask-bio"):
        state.resolve("test-flask-missing")


# ---------------------------------------------------------------- config errors


@pytest.mark.parametrize(
    "spec",
    [
        {"tags": ["b", "script"]},  # never safe
        {"tagz": ["b"]},  # unknown option
        {"tags": 3},  # wrong type
        ["b", "i"],  # not a dict
    ],
    ids=["unsafe", "unknown-option", "bad-type", "not-a-dict"],
)
def test_bad_policy_fails_at_init_naming_the_key(spec: object) -> None:
    app = make_app(HTMLGUARD_POLICIES={"test-flask-ok": BIO, "test-flask-bad": spec})
    with pytest.raises(hg.PolicyError) as info:
        HTMLGuard(app)
    assert str(info.value).startswith("HTMLGUARD_POLICIES['test-flask-bad']: ")
    assert "htmlguard" not in app.extensions  # a config that fails leaves the app alone


def test_preset_name_in_policies_is_refused() -> None:
    app = make_app(HTMLGUARD_POLICIES={"ugc": {"tags": ["b"]}})
    with pytest.raises(hg.PolicyError, match=r"^HTMLGUARD_POLICIES\['ugc'\]: .*preset"):
        HTMLGuard(app)
    assert hg.policies["ugc"] == hg.Policy.preset("ugc")


def test_policies_must_be_a_mapping() -> None:
    with pytest.raises(hg.PolicyError, match="^HTMLGUARD_POLICIES: "):
        HTMLGuard(make_app(HTMLGUARD_POLICIES=[("test-flask-x", BIO)]))


def test_unknown_default_policy_fails_at_init() -> None:
    app = make_app(HTMLGUARD_DEFAULT_POLICY="test-flask-missing")
    with pytest.raises(hg.UnknownPolicyError, match="^HTMLGUARD_DEFAULT_POLICY: "):
        HTMLGuard(app)
    assert "htmlguard" not in app.extensions


def test_default_policy_may_be_a_policy_object() -> None:
    only_i = hg.Policy(tags={"i"})
    app = make_app(HTMLGUARD_DEFAULT_POLICY=only_i)
    HTMLGuard(app)
    assert app.test_client().get("/render", query_string={"v": "<b>a</b><i>b</i>"}).text == (
        "a<i>b</i>"
    )


def test_bad_middleware_option_fails_at_init() -> None:
    app = make_app(HTMLGUARD_FIELDS={"description": "ugc"}, HTMLGUARD_MODE="scrub")
    with pytest.raises(ValueError, match="mode"):
        HTMLGuard(app)


def test_unknown_field_policy_fails_at_init_naming_the_key() -> None:
    app = make_app(
        HTMLGUARD_POLICIES={BIO_NAME: BIO},
        HTMLGUARD_FIELDS={"bio": BIO_NAME, "description": "test-flask-nope"},
    )
    with pytest.raises(hg.UnknownPolicyError) as info:
        HTMLGuard(app)
    message = str(info.value)
    assert message.startswith("HTMLGUARD_FIELDS['description']: unknown policy ")
    assert "test-flask-nope" in message and BIO_NAME in message  # the app's names are listed
    with pytest.raises(TypeError, match=r"^HTMLGUARD_FIELDS\['description'\]: policy must be"):
        HTMLGuard(make_app(HTMLGUARD_FIELDS={"description": 3}))
    with pytest.raises(TypeError, match="^HTMLGUARD_FIELDS: expected a mapping"):
        HTMLGuard(make_app(HTMLGUARD_FIELDS=["description"]))


def test_failed_init_app_leaves_a_working_app_as_it_was() -> None:
    app = make_app(HTMLGUARD_FIELDS={"description": "ugc"})
    guard = HTMLGuard(app)
    state, wrapped = app.extensions["htmlguard"], app.wsgi_app
    app.config["HTMLGUARD_FIELDS"] = {"description": "test-flask-nope"}
    with pytest.raises(hg.UnknownPolicyError):
        guard.init_app(app)
    assert app.extensions["htmlguard"] is state
    assert app.wsgi_app is wrapped
    got = app.test_client().post("/echo", data={"description": DIRTY}).get_json()
    assert got == {"description": [CLEAN_UGC]}


# ---------------------------------------------------------------- the request middleware


def test_no_middleware_without_fields() -> None:
    for fields in (None, {}):
        app = make_app(HTMLGUARD_FIELDS=fields)
        HTMLGuard(app)
        assert not isinstance(app.wsgi_app, HTMLGuardMiddleware)
        assert app.extensions["htmlguard"].middleware is None
        got = app.test_client().post("/echo", data={"description": DIRTY}).get_json()
        assert got == {"description": [DIRTY]}


def test_middleware_cleans_a_posted_field_end_to_end() -> None:
    app = make_app(
        HTMLGUARD_POLICIES={BIO_NAME: BIO},
        HTMLGUARD_FIELDS={"description": "ugc", "bio": BIO_NAME},
    )
    HTMLGuard(app)
    state = app.extensions["htmlguard"]
    assert isinstance(app.wsgi_app, HTMLGuardMiddleware)
    assert state.middleware is app.wsgi_app
    client = app.test_client()
    form = {"description": DIRTY, "bio": "<b>a</b><u>b</u>", "title": DIRTY}
    got = client.post("/echo", data=form).get_json()
    assert got == {"description": [CLEAN_UGC], "bio": ["<b>a</b>b"], "title": [DIRTY]}
    # multipart (a file part forces it): the text field is cleaned, the file passes as sent
    multi = {"description": DIRTY, "upload": (io.BytesIO(DIRTY.encode()), "x.html")}
    got = client.post("/echo", data=multi, content_type="multipart/form-data").get_json()
    assert got == {"description": [CLEAN_UGC]}


def test_middleware_options_from_config() -> None:
    app = make_app(
        HTMLGUARD_FIELDS={"description": "ugc"},
        HTMLGUARD_PATHS=["/api/*"],
        HTMLGUARD_MODE="reject",
        HTMLGUARD_MAX_BODY_BYTES=2000,
    )
    HTMLGuard(app)
    client = app.test_client()
    # outside HTMLGUARD_PATHS: untouched
    assert client.post("/echo", data={"description": DIRTY}).get_json() == {"description": [DIRTY]}
    # inside: reject mode answers 400 naming the field
    resp = client.post("/api/echo", data={"description": DIRTY})
    assert resp.status_code == 400
    assert resp.get_json()["error"] == "disallowed HTML"
    assert "description" in resp.get_json()["fields"]
    assert client.post("/api/echo", data={"description": CLEAN_UGC}).status_code == 200
    # over HTMLGUARD_MAX_BODY_BYTES
    assert client.post("/api/echo", data={"description": "x" * 3000}).status_code == 413


def test_on_fault_from_config() -> None:
    # An unknown charset is a fault: passed on by default, refused with on_fault="reject".
    for on_fault, status in (("pass", 200), ("reject", 400)):
        app = make_app(HTMLGUARD_FIELDS={"description": "ugc"}, HTMLGUARD_ON_FAULT=on_fault)
        HTMLGuard(app)
        resp = app.test_client().post(
            "/echo",
            data=b"title=hello",
            content_type="application/x-www-form-urlencoded; charset=no-such-charset",
        )
        assert resp.status_code == status, on_fault


def test_init_app_twice_on_one_app_does_not_stack_middleware() -> None:
    app = make_app(HTMLGUARD_FIELDS={"description": "ugc"})
    guard = HTMLGuard(app)
    first = app.wsgi_app
    guard.init_app(app)
    assert isinstance(app.wsgi_app, HTMLGuardMiddleware)
    assert app.wsgi_app is not first
    assert not isinstance(app.wsgi_app.app, HTMLGuardMiddleware)
    got = app.test_client().post("/echo", data={"description": DIRTY}).get_json()
    assert got == {"description": [CLEAN_UGC]}


# ---------------------------------------------------------------- the template filter


def test_filter_in_templates() -> None:
    app = make_app(HTMLGUARD_POLICIES={BIO_NAME: BIO})
    HTMLGuard(app)
    client = app.test_client()

    def render(template: str, v: str | None) -> str:
        args = {"t": template} if v is None else {"t": template, "v": v}
        return client.get("/render", query_string=args).text

    assert render("{{ v|sanitize }}", DIRTY) == CLEAN_UGC
    assert render("[{{ v|sanitize }}]", None) == "[]"
    with_bio = "{{ v|sanitize('" + BIO_NAME + "') }}"
    assert render(with_bio, "<b>a</b><u>b</u>") == "<b>a</b>b"
    assert render('{{ v|sanitize("strict") }}', "<p>a</p>") == hg.sanitize("<p>a</p>", "strict")
    # autoescape is on for everything else
    assert render("{{ v }}", "<b>a</b>") == "&lt;b&gt;a&lt;/b&gt;"


def test_filter_uses_the_configured_default_policy() -> None:
    app = make_app(HTMLGUARD_POLICIES={BIO_NAME: BIO}, HTMLGUARD_DEFAULT_POLICY=BIO_NAME)
    HTMLGuard(app)
    got = app.test_client().get("/render", query_string={"v": "<b>a</b><u>b</u>"}).text
    assert got == "<b>a</b>b"


# ---------------------------------------------------------------- per-app policies

TWO_BIOS = "<b>b</b><i>i</i><u>u</u>"


class BioForm(Form):
    """One form class for every app: "bio" is looked up in the app handling the request."""

    clean = SanitizedHTMLField(policy="bio")
    reject = SanitizedHTMLField(policy="bio", mode="reject")
    title = StringField(validators=[NoDisallowedHTML("bio")])


def bio_app(tag: str) -> Flask:
    """An app whose own "bio" allows only `tag`; its middleware cleans the field "mw"."""
    app = make_app(HTMLGUARD_POLICIES={"bio": {"tags": [tag]}}, HTMLGUARD_FIELDS={"mw": "bio"})
    add_form_view(app)
    return app


def add_form_view(app: Flask) -> None:
    @app.post("/form")
    def form() -> dict[str, Any]:
        f = BioForm(request.form)
        ok = f.validate()
        return {"ok": ok, "data": f.data, "errors": f.errors}


def test_two_apps_each_use_their_own_policy_of_one_name() -> None:
    guard = HTMLGuard()
    apps = [("b", bio_app("b"), "<b>b</b>iu"), ("i", bio_app("i"), "b<i>i</i>u")]
    for _, app, _ in apps:
        guard.init_app(app)
    # the apps' own policies stay theirs (the global registry may have a "bio" of its own:
    # the Django test project registers one)
    assert all(hg.policies.get("bio") is not get_state(app).policies["bio"] for _, app, _ in apps)
    for tag, app, cleaned in apps:
        own = f"<{tag}>{tag}</{tag}>"
        client = app.test_client()
        # the filter
        page = client.get("/render", query_string={"t": "{{ v|sanitize('bio') }}", "v": TWO_BIOS})
        assert page.text == cleaned
        # the form field (clean and reject) and the validator: own tag passes, others do not
        got = client.post("/form", data={"clean": TWO_BIOS, "reject": own, "title": own}).json
        assert got is not None
        assert got["ok"], got["errors"]
        assert got["data"] == {"clean": cleaned, "reject": own, "title": own}
        got = client.post("/form", data={"reject": "<u>u</u>", "title": "<u>u</u>"}).json
        assert got is not None
        assert not got["ok"]
        message = "Disallowed HTML: would remove 1 tag (<u>)"
        assert got["errors"] == {"reject": [message], "title": [message]}
        # the middleware
        assert client.post("/echo", data={"mw": TWO_BIOS}).json == {"mw": [cleaned]}
        # the helpers, in an app context
        with app.app_context():
            assert guard.sanitize(TWO_BIOS, "bio") == cleaned
            assert resolve_policy("bio") is get_state().policies["bio"]
            assert resolve_policy("strict") is hg.policies["strict"]


def test_an_app_policy_shadows_a_global_name_only_in_that_app(global_bio: hg.Policy) -> None:
    mine = bio_app("b")
    HTMLGuard(mine)
    bare = make_app()  # no extension: names are the global registry's
    add_form_view(bare)
    with mine.app_context():
        assert resolve_policy("bio") is get_state().policies["bio"]
    with bare.app_context():
        assert resolve_policy("bio") is global_bio
    assert resolve_policy("bio") is global_bio  # no app context at all
    assert hg.sanitize(TWO_BIOS, "bio") == "bi<u>u</u>"  # the module functions: global only

    got = bare.test_client().post("/form", data={"clean": TWO_BIOS, "title": "<u>u</u>"}).json
    assert got is not None
    assert got["ok"], got["errors"]
    assert got["data"]["clean"] == "bi<u>u</u>"
    got = mine.test_client().post("/form", data={"clean": TWO_BIOS, "title": "<u>u</u>"}).json
    assert got is not None
    assert got["data"]["clean"] == "<b>b</b>iu"
    assert got["errors"] == {"title": ["Disallowed HTML: would remove 1 tag (<u>)"]}


def test_names_only_in_the_global_registry_still_resolve_in_an_app(global_bio: hg.Policy) -> None:
    app = make_app(
        HTMLGUARD_POLICIES={BIO_NAME: BIO},
        HTMLGUARD_DEFAULT_POLICY="bio",  # the global one
        HTMLGUARD_FIELDS={"mw": "bio"},
    )
    HTMLGuard(app)
    client = app.test_client()
    assert client.get("/render", query_string={"v": TWO_BIOS}).text == "bi<u>u</u>"
    assert client.post("/echo", data={"mw": TWO_BIOS}).json == {"mw": ["bi<u>u</u>"]}


def test_init_app_twice_uses_the_new_policies() -> None:
    app = bio_app("b")
    guard = HTMLGuard(app)
    app.config["HTMLGUARD_POLICIES"] = {"bio": {"tags": ["i"]}}
    guard.init_app(app)
    client = app.test_client()
    page = client.get("/render", query_string={"t": "{{ v|sanitize('bio') }}", "v": TWO_BIOS})
    assert page.text == "b<i>i</i>u"
    assert client.post("/echo", data={"mw": TWO_BIOS}).json == {"mw": ["b<i>i</i>u"]}
    got = client.post("/form", data={"clean": TWO_BIOS}).json
    assert got is not None and got["data"]["clean"] == "b<i>i</i>u"
    assert not isinstance(app.wsgi_app.app, HTMLGuardMiddleware)  # type: ignore[attr-defined]
