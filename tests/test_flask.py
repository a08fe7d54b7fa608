"""htmlguard.flask: the HTMLGuard extension, driven through Flask's test client (no server)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, render_template_string, request

import htmlguard as hg
from htmlguard.flask import HTMLGuard, HTMLGuardState, get_state
from htmlguard.wsgi import HTMLGuardMiddleware

DIRTY = '<p onclick="steal()">Hi <script>alert(1)</script><b>there</b></p>'
CLEAN_UGC = "<p>Hi <b>there</b></p>"
BIO = {"tags": ["b", "i"]}  # a dict for Policy.from_dict
BIO_NAME = "test-flask-bio"


@pytest.fixture(autouse=True)
def _forget_test_policies() -> Iterator[None]:
    """The registry is process-wide: remove what a test's config registered."""
    yield
    for name in hg.policies.names():
        if name.startswith("test-flask-"):
            hg.policies.unregister(name)


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
    assert state.policies == ()
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
    assert b.extensions["htmlguard"].policies == (BIO_NAME,)
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


def test_configured_policies_are_registered() -> None:
    app = make_app(HTMLGUARD_POLICIES={BIO_NAME: BIO, "test-flask-empty": {}})
    HTMLGuard(app)
    assert app.extensions["htmlguard"].policies == (BIO_NAME, "test-flask-empty")
    assert hg.policies[BIO_NAME] == hg.Policy.from_dict(BIO)
    assert hg.sanitize("<b>a</b><u>b</u>", BIO_NAME) == "<b>a</b>b"
    assert hg.sanitize("<b>a</b>", "test-flask-empty") == "a"


def test_factory_can_run_twice_and_the_last_config_wins() -> None:
    HTMLGuard(make_app(HTMLGUARD_POLICIES={BIO_NAME: BIO}))
    HTMLGuard(make_app(HTMLGUARD_POLICIES={BIO_NAME: {"tags": ["u"]}}))
    assert hg.sanitize("<b>a</b><u>b</u>", BIO_NAME) == "a<u>b</u>"


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
    # Nothing is registered from a config that fails, and the app is not marked initialised.
    assert "test-flask-ok" not in hg.policies
    assert "htmlguard" not in app.extensions


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
    app = make_app(HTMLGUARD_FIELDS={"description": "test-flask-missing"})
    with pytest.raises(hg.UnknownPolicyError):
        HTMLGuard(app)


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
