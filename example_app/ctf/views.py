"""The site's pages, its JSON API and the script-hook recorder."""

from __future__ import annotations

import functools
import hmac
import secrets
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Blueprint,
    abort,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.security import check_password_hash

from htmlguard.flask import resolve_policy

from . import db
from .forms import ChallengeForm, CommentForm, FlagForm, LoginForm, ProfileForm

bp = Blueprint("ctf", __name__)

F = TypeVar("F", bound=Callable[..., Any])

#: Posts that carry no form, so no CSRF token: the JSON API (a cross-site page cannot send
#: ``application/json`` without a CORS preflight, which this site never allows) and the hook.
CSRF_EXEMPT = ("/api/", "/__pwned")


# ------------------------------------------------------------------ session and CSRF


@bp.before_app_request
def load_user() -> None:
    uid = session.get("user_id")
    g.user = db.one("SELECT * FROM users WHERE id = ?", uid) if uid is not None else None


@bp.before_app_request
def check_csrf() -> None:
    if request.method != "POST" or request.path.startswith(CSRF_EXEMPT):
        return
    sent = request.form.get("csrf_token", "")
    expected = session.get("csrf_token", "")
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, "missing or wrong CSRF token: reload the page and try again")


@bp.app_context_processor
def template_globals() -> dict[str, Any]:
    def csrf_token() -> str:
        if "csrf_token" not in session:
            session["csrf_token"] = secrets.token_urlsafe(32)
        return str(session["csrf_token"])

    hits = db.one("SELECT count(*) AS n FROM hook_hits")
    return {"csrf_token": csrf_token, "hook_hits": hits["n"] if hits else 0}


def login_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.user is None:
            return redirect(url_for("ctf.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.user is None:
            return redirect(url_for("ctf.login", next=request.path))
        if not g.user["is_admin"]:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def flash_cleaned(what: str, raw: str | None, policy: str) -> None:
    """Tell the user what the policy took out of what they sent, if anything."""
    if raw:
        # The site's policies are its app's own (HTMLGUARD_POLICIES), not global names.
        report = resolve_policy(policy).inspect(raw)
        if report.total:
            flash(f"htmlguard cleaned the {what}: {report}", "info")


# ------------------------------------------------------------------ pages


@bp.route("/")
def index() -> str:
    challenges = db.all_(
        "SELECT c.*, (SELECT count(*) FROM solves s WHERE s.challenge_id = c.id) AS solves,"
        " (SELECT count(*) FROM comments m WHERE m.challenge_id = c.id) AS comments"
        " FROM challenges c ORDER BY c.points, c.id"
    )
    solved = set()
    if g.user is not None:
        rows = db.all_("SELECT challenge_id FROM solves WHERE user_id = ?", g.user["id"])
        solved = {r["challenge_id"] for r in rows}
    return render_template("index.html", challenges=challenges, solved=solved)


def _challenge(cid: int) -> Any:
    row = db.one(
        "SELECT c.*, u.username AS author FROM challenges c JOIN users u ON u.id = c.author_id"
        " WHERE c.id = ?",
        cid,
    )
    if row is None:
        abort(404)
    return row


def _comments(cid: int) -> list[Any]:
    return db.all_(
        "SELECT m.*, u.username FROM comments m JOIN users u ON u.id = m.user_id"
        " WHERE m.challenge_id = ? ORDER BY m.id",
        cid,
    )


def _render_challenge(
    cid: int, comment_form: CommentForm | None = None, status: int = 200
) -> tuple[str, int]:
    challenge = _challenge(cid)
    solved = g.user is not None and db.one(
        "SELECT 1 FROM solves WHERE user_id = ? AND challenge_id = ?", g.user["id"], cid
    )
    html = render_template(
        "challenge.html",
        challenge=challenge,
        comments=_comments(cid),
        comment_form=comment_form or CommentForm(),
        flag_form=FlagForm(),
        solved=bool(solved),
    )
    return html, status


@bp.route("/challenges/<int:cid>")
def challenge(cid: int) -> tuple[str, int]:
    return _render_challenge(cid)


@bp.route("/challenges/<int:cid>/comments", methods=["POST"])
@login_required
def add_comment(cid: int) -> Any:
    _challenge(cid)
    form = CommentForm(request.form)
    if not form.validate():
        # Reject mode: the page shows why, the text stays in the box, nothing is saved.
        return _render_challenge(cid, form, 422)
    db.write(
        "INSERT INTO comments (challenge_id, user_id, body) VALUES (?, ?, ?)",
        cid,
        g.user["id"],
        form.body.data,
    )
    flash("Comment posted.", "ok")
    return redirect(url_for("ctf.challenge", cid=cid) + "#comments")


@bp.route("/challenges/<int:cid>/solve", methods=["POST"])
@login_required
def solve(cid: int) -> Any:
    challenge = _challenge(cid)
    form = FlagForm(request.form)
    if form.validate() and hmac.compare_digest(
        form.flag.data.strip().encode(), challenge["flag"].encode()
    ):
        db.write(
            "INSERT OR IGNORE INTO solves (user_id, challenge_id) VALUES (?, ?)",
            g.user["id"],
            cid,
        )
        flash(f"Correct! +{challenge['points']} points.", "ok")
    else:
        flash("Wrong flag.", "error")
    return redirect(url_for("ctf.challenge", cid=cid))


@bp.route("/scoreboard")
def scoreboard() -> str:
    rows = db.all_(
        "SELECT u.username, coalesce(sum(c.points), 0) AS score, count(c.id) AS solves"
        " FROM users u LEFT JOIN solves s ON s.user_id = u.id"
        " LEFT JOIN challenges c ON c.id = s.challenge_id"
        " WHERE NOT u.is_admin GROUP BY u.id ORDER BY score DESC, u.username"
    )
    return render_template("scoreboard.html", rows=rows)


@bp.route("/users/<username>")
def user(username: str) -> str:
    row = db.one("SELECT * FROM users WHERE username = ?", username)
    if row is None:
        abort(404)
    solves = db.all_(
        "SELECT c.id, c.title, c.points FROM solves s JOIN challenges c ON c.id = s.challenge_id"
        " WHERE s.user_id = ? ORDER BY s.created",
        row["id"],
    )
    return render_template("user.html", profile=row, solves=solves)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> Any:
    if request.method == "POST":
        form = ProfileForm(request.form)
        if form.validate():
            db.write("UPDATE users SET bio = ? WHERE id = ?", form.bio.data, g.user["id"])
            flash_cleaned("bio", (form.bio.raw_data or [None])[0], "bio")
            flash("Profile saved.", "ok")
            return redirect(url_for("ctf.user", username=g.user["username"]))
    else:
        form = ProfileForm(data={"bio": g.user["bio"]})
    return render_template("profile_edit.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    form = LoginForm(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        row = db.one("SELECT * FROM users WHERE username = ?", form.username.data)
        if row is not None and check_password_hash(row["password_hash"], form.password.data):
            session.clear()
            session["user_id"] = row["id"]
            flash(f"Welcome, {row['username']}.", "ok")
            target = request.args.get("next", "")
            # Only local paths: no open redirect.
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("ctf.index")
            return redirect(target)
        flash("Wrong username or password.", "error")
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    session.clear()
    return redirect(url_for("ctf.index"))


# ------------------------------------------------------------------ admin


@bp.route("/admin/challenges/new", methods=["GET", "POST"])
@admin_required
def new_challenge() -> Any:
    form = ChallengeForm(request.form if request.method == "POST" else None)
    if request.method == "POST" and form.validate():
        cid = db.write(
            "INSERT INTO challenges (title, category, points, description, flag, author_id)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            form.title.data,
            form.category.data,
            form.points.data,
            form.description.data,
            form.flag.data,
            g.user["id"],
        )
        flash_cleaned("description", (form.description.raw_data or [None])[0], "challenge")
        flash("Challenge created.", "ok")
        return redirect(url_for("ctf.challenge", cid=cid))
    return render_template("challenge_edit.html", form=form, challenge=None)


@bp.route("/admin/challenges/<int:cid>/edit", methods=["GET", "POST"])
@admin_required
def edit_challenge(cid: int) -> Any:
    challenge = _challenge(cid)
    if request.method == "POST":
        form = ChallengeForm(request.form)
        if form.validate():
            db.write(
                "UPDATE challenges SET title = ?, category = ?, points = ?, description = ?,"
                " flag = ? WHERE id = ?",
                form.title.data,
                form.category.data,
                form.points.data,
                form.description.data,
                form.flag.data,
                cid,
            )
            flash_cleaned("description", (form.description.raw_data or [None])[0], "challenge")
            flash("Challenge saved.", "ok")
            return redirect(url_for("ctf.challenge", cid=cid))
    else:
        form = ChallengeForm(data=dict(challenge))
    return render_template("challenge_edit.html", form=form, challenge=challenge)


# ------------------------------------------------------------------ JSON API


def _comment_json(row: Any) -> dict[str, Any]:
    return {
        "id": row["id"],
        "challenge_id": row["challenge_id"],
        "author": row["username"],
        "body": row["body"],
        "via": row["via"],
        "created": row["created"],
    }


@bp.route("/api/challenges/<int:cid>/comments", methods=["GET"])
def api_comments(cid: int) -> Any:
    _challenge(cid)
    return jsonify([_comment_json(r) for r in _comments(cid)])


@bp.route("/api/challenges/<int:cid>/comments", methods=["POST"])
def api_add_comment(cid: int) -> Any:
    """``{"body": "..."}``: the middleware has already cleaned ``body`` with the "comment"
    policy by the time this runs (see ``HTMLGUARD_FIELDS`` in ``create_app``)."""
    if g.user is None:
        return jsonify(error="log in first"), 401
    if db.one("SELECT 1 FROM challenges WHERE id = ?", cid) is None:
        return jsonify(error="no such challenge"), 404
    data = request.get_json(silent=True)
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, str) or not body.strip():
        return jsonify(error='expected a JSON object {"body": "..."}'), 400
    new_id = db.write(
        "INSERT INTO comments (challenge_id, user_id, body, via) VALUES (?, ?, ?, 'api')",
        cid,
        g.user["id"],
        body,
    )
    row = db.one(
        "SELECT m.*, u.username FROM comments m JOIN users u ON u.id = m.user_id WHERE m.id = ?",
        new_id,
    )
    return jsonify(_comment_json(row)), 201


# ------------------------------------------------------------------ the script hook


@bp.route("/__pwned", methods=["POST"])
def pwned() -> Any:
    """Called by ``window.__hook()`` (see base.html): a payload ran in somebody's browser."""
    data = request.get_json(silent=True)
    data = data if isinstance(data, dict) else {}
    db.write(
        "INSERT INTO hook_hits (page, detail) VALUES (?, ?)",
        str(data.get("page", ""))[:500],
        str(data.get("detail", ""))[:500],
    )
    return jsonify(recorded=True)


@bp.route("/__pwned", methods=["GET"])
def pwned_hits() -> Any:
    rows = db.all_("SELECT page, detail, created FROM hook_hits ORDER BY id")
    return jsonify(count=len(rows), hits=[dict(r) for r in rows])
