"""What htmlguard's Django model field and template filter cost, beside django-nh3's.

    python bench/django_fields.py [--quick] [--rows N] [--rounds N] [--out PATH]

A SQLite database in a temporary file holds one table per model field: a plain
``TextField`` (no sanitizing: the floor), django-nh3's ``Nh3TextField`` (cleans with nh3 in
``pre_save``; marks the value safe on read, no work) and htmlguard's
``SanitizedTextField(policy="ugc")`` (sanitizes on every write: in ``pre_save``, and in
``get_db_prep_save``, which ``update()`` reaches too; and in ``from_db_value`` on every
read). Each gets the same N posts: rendered-Markdown user HTML
of 1-3 KB from the realistic corpus (``bench/corpora.py``), cycled to N rows, each made
distinct by a last paragraph naming its row (the field's read cache keys on the stored text,
so two equal rows would let one read be served by another's work).

Measured, each group in interleaved rounds (every variant once a round, the order rotated
from round to round; a round with other work on the machine is taken again): writes
(``bulk_create``, ``save()`` per row, ``QuerySet.update()`` per row), reads (iterating
``objects.all()`` and ``values_list``, with the field's read cache empty and full), the
template filters (``|sanitize`` against django-nh3's ``|nh3``), a whole page (query and
render), and the two engines alone. Times
are this process's CPU time. Each ratio is the median of the per-round ratios, not a ratio
of medians: this shared VM's speed drifts by tens of percent from second to second. Writes
``bench/DJANGO.md``.

django-nh3 is optional: without it its rows say "not installed" and the rest runs.
"""

from __future__ import annotations

import argparse
import gc
import importlib.metadata
import os
import platform
import shlex
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
for _path in (BENCH, REPO):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import corpora  # noqa: E402
import measure  # noqa: E402

#: The peers this benchmark needs beyond htmlguard (the `bench` extra pins the same).
REQUIREMENTS = ("django==5.2.19", "django-nh3==0.3.1")

#: Posts are the realistic corpus's documents of this many UTF-8 bytes.
POST_BYTES = (1000, 3000)

PLAIN, NH3, HG, HG_RAW = "plain", "nh3", "htmlguard", "htmlguard-raw"
#: Read variants of HG: the field's read cache (htmlguard.django.readcache) empty, then full.
HG_COLD, HG_WARM = "htmlguard-cold", "htmlguard-warm"
NAMES = {
    PLAIN: "plain `TextField`",
    NH3: "django-nh3 `Nh3TextField`",
    HG: 'htmlguard `SanitizedTextField("ugc")`',
    HG_RAW: "htmlguard `SanitizedTextField`, rows inserted by raw SQL",
}


def log(msg: str) -> None:
    print(f"[django bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- the posts ---------------------------------------------------------------------------------


def posts(rows: int, generate: int) -> tuple[list[str], int]:
    """`rows` distinct posts: the realistic documents (the first `generate` of the corpus)
    within :data:`POST_BYTES`, cycled, each ending in a paragraph with its row number; and
    how many corpus documents that is."""
    lo, hi = POST_BYTES
    docs = [d for d in corpora.realistic_docs(generate) if lo <= len(d.encode("utf-8")) <= hi]
    if not docs:
        raise RuntimeError(f"no realistic document of {lo}-{hi} bytes in the first {generate}")
    return [f"{docs[i % len(docs)]}\n<p>Post {i + 1}.</p>" for i in range(rows)], len(docs)


# --- Django -------------------------------------------------------------------------------------


def nh3_settings() -> dict[str, Any]:
    """django-nh3's settings (``NH3_*``) for the ugc preset's allowlist, as close as its options
    go (bench/peers.py builds the nh3 peer from the same data); both its field and its filter
    read them."""
    from peers import Ugc

    u = Ugc.load()
    return {
        "NH3_ALLOWED_TAGS": set(u.tags),
        "NH3_ALLOWED_ATTRIBUTES": u.attributes_with_star(),
        "NH3_CLEAN_CONTENT_TAGS": set(u.clean_content_tags),
        "NH3_STRIP_COMMENTS": u.strip_comments,
        "NH3_LINK_REL": u.link_rel,
        "NH3_ALLOWED_URL_SCHEMES": set(u.url_schemes),
    }


#: What django-nh3 cannot be told of the ugc preset (see nh3_settings).
NH3_DEVIATIONS = (
    "no `id_prefix` (django-nh3's options have none: `id`s are kept as written)",
    "ugc's `attribute_patterns` (value regexes) not applied, as for every peer in RESULTS.md",
)


def configure(db: Path, with_nh3: bool) -> None:
    """Settings for this script alone (no project), then ``django.setup()``."""
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)  # pytest-django's, when a test runs us
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="htmlguard-bench",
        INSTALLED_APPS=["htmlguard.django", *(["django_nh3"] if with_nh3 else [])],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(db)}},
        TEMPLATES=[
            {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
        ],
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        HTMLGUARD_DEFAULT_POLICY="ugc",
        **(nh3_settings() if with_nh3 else {}),
    )
    django.setup()


@dataclass
class Models:
    """One model class per field, keyed by PLAIN, NH3, HG, HG_RAW (NH3 when installed)."""

    by_key: dict[str, Any]

    def table(self, key: str) -> str:
        return str(self.by_key[key]._meta.db_table)


def define_models(with_nh3: bool) -> Models:
    """The models (after ``django.setup()``), their tables created in the database."""
    from django.db import connection, models

    from htmlguard.django.models import SanitizedTextField

    def model(name: str, body: Any) -> Any:
        meta = type("Meta", (), {"app_label": "djbench"})
        attrs = {"__module__": __name__, "Meta": meta, "body": body}
        return type(name, (models.Model,), attrs)

    by_key: dict[str, Any] = {
        PLAIN: model("PlainPost", models.TextField()),
        HG: model("GuardedPost", SanitizedTextField(policy="ugc")),
        HG_RAW: model("RawGuardedPost", SanitizedTextField(policy="ugc")),
    }
    if with_nh3:
        from django_nh3.models import Nh3TextField

        by_key[NH3] = model("Nh3Post", Nh3TextField())
    with connection.schema_editor() as editor:
        for m in by_key.values():
            editor.create_model(m)
    return Models(by_key)


# --- interleaved rounds -------------------------------------------------------------------


@dataclass
class Variant:
    """One way of doing a group's work: ``work()`` timed, after ``setup()`` (untimed).
    ``versus``: the key of its django-nh3 counterpart, where not the group's."""

    key: str
    label: str
    work: Callable[[], object]
    setup: Callable[[], object] | None = None
    versus: str | None = None


@dataclass
class Group:
    """Variants measured in the same rounds; the first is the floor the others are compared
    with. ``times[key][r]`` is round r's CPU seconds for the variant ``key``."""

    title: str
    variants: list[Variant]
    notes: list[str] = field(default_factory=list)
    #: The key of django-nh3's variant, for the "time / django-nh3" column (None: no column).
    peer: str | None = None
    #: Rows not timed: label -> why.
    untimed: dict[str, str] = field(default_factory=dict)
    times: dict[str, list[float]] = field(default_factory=dict)
    retaken: int = 0

    @property
    def floor(self) -> str:
        return self.variants[0].key

    def ratios(self, key: str, base: str) -> list[float]:
        return [a / b for a, b in zip(self.times[key], self.times[base], strict=True)]

    def differences(self, key: str, base: str) -> list[float]:
        return [a - b for a, b in zip(self.times[key], self.times[base], strict=True)]


def rotated(items: Sequence[Variant], turn: int) -> list[Variant]:
    k = turn % len(items)
    return [*items[k:], *items[:k]]


#: Rounds a group keeps before its time budget may stop it.
MIN_ROUNDS = 5


def run_group(g: Group, rounds: int, budget: float) -> None:
    """Warm every variant up once, then take `rounds` rounds, or fewer (at least
    :data:`MIN_ROUNDS`) once `budget` wall seconds are spent.

    Each round runs every variant once, starting one further along the list than the last
    round did; before each timing the variant's setup runs and the garbage is collected,
    so one variant's leftovers are not collected on another's clock. Times are this
    process's CPU seconds (``time.process_time``: SQLite runs in it; waiting for the disk
    or for a core another process holds is not counted). A round during which other
    processes used more than ``measure.NOISY_SHARE`` of a core is taken again, at most a
    third of `rounds` times: under lasting load elsewhere, retaking buys nothing more."""
    for v in g.variants:
        if v.setup is not None:
            v.setup()
        v.work()
    g.times = {v.key: [] for v in g.variants}
    kept = g.times[g.floor]
    spent, turn = 0.0, 0
    while len(kept) < rounds and not (len(kept) >= MIN_ROUNDS and spent > budget):
        before = measure._machine_cpu()
        t0 = time.perf_counter()
        this: dict[str, float] = {}
        for v in rotated(g.variants, turn):
            if v.setup is not None:
                v.setup()
            gc.collect()
            t = time.process_time()
            v.work()
            this[v.key] = time.process_time() - t
        turn += 1
        wall = time.perf_counter() - t0
        spent += wall
        share = measure._foreign_share(before, wall)
        if share is not None and share > measure.NOISY_SHARE and g.retaken < rounds // 3:
            g.retaken += 1
            continue
        for key, seconds in this.items():
            g.times[key].append(seconds)


# --- the groups ------------------------------------------------------------------------------

NOT_INSTALLED = "django-nh3 is not installed"


def page_template(library: str, expression: str) -> str:
    """``{% for p in posts %}{{ expression }}{% endfor %}``, loading `library` if given."""
    load = f"{{% load {library} %}}" if library else ""
    return f"{load}{{% for p in posts %}}{{{{ {expression} }}}}{{% endfor %}}"


class Bench:
    """The groups, over one database whose tables it fills as each group needs."""

    def __init__(self, docs: list[str], models: Models, with_nh3: bool) -> None:
        from django.db import connection

        self.docs = docs
        self.rows = len(docs)
        self.models = models
        self.with_nh3 = with_nh3
        self.connection = connection

    def model(self, key: str) -> Any:
        return self.models.by_key[key]

    def empty(self, key: str) -> Callable[[], None]:
        def run() -> None:
            with self.connection.cursor() as cur:
                cur.execute(f'DELETE FROM "{self.models.table(key)}"')

        return run

    def fill(self, key: str) -> None:
        """The table of `key` holds exactly the N posts, written through its field (HG_RAW's
        by raw SQL, around the field)."""
        self.empty(key)()
        m = self.model(key)
        if key == HG_RAW:
            with self.connection.cursor() as cur:
                cur.executemany(
                    f'INSERT INTO "{self.models.table(key)}" (body) VALUES (%s)',
                    [(d,) for d in self.docs],
                )
        else:
            m.objects.bulk_create([m(body=d) for d in self.docs])

    def group(
        self,
        title: str,
        labels: Mapping[str, str],
        make: Callable[[str, str], Variant],
        notes: list[str],
        peer: str | None = NH3,
    ) -> Group:
        """A group of ``make(key, label)`` for each of `labels`, in order; django-nh3's keys
        (NH3 and "nh3-...") are listed as not installed when it is not."""
        g = Group(title, [], notes, peer)
        for key, label in labels.items():
            if key.startswith(NH3) and not self.with_nh3:
                g.untimed[label] = NOT_INSTALLED
            else:
                g.variants.append(make(key, label))
        return g

    @staticmethod
    def names(*keys: str) -> dict[str, str]:
        return {k: NAMES[k] for k in keys}

    # -- writes

    def bulk_create(self) -> Group:
        def make(key: str, label: str) -> Variant:
            m = self.model(key)
            work = lambda: m.objects.bulk_create([m(body=d) for d in self.docs])  # noqa: E731
            return Variant(key, label, work, self.empty(key))

        return self.group(
            "`bulk_create` of N posts",
            self.names(PLAIN, NH3, HG),
            make,
            [
                "`Model.objects.bulk_create([Model(body=html) for html in posts])` into an "
                "empty table (emptied before each timing, untimed)."
            ],
        )

    def save(self) -> Group:
        from django.db import transaction

        def make(key: str, label: str) -> Variant:
            m = self.model(key)

            def work() -> None:
                with transaction.atomic():
                    for d in self.docs:
                        m(body=d).save()

            return Variant(key, label, work, self.empty(key))

        return self.group(
            "`save()` per post",
            self.names(PLAIN, NH3, HG),
            make,
            [
                "`Model(body=html).save()` for each post, all in one `transaction.atomic()` "
                "(one commit per timing, so the disk's sync does not drown the ORM's and "
                "the sanitizer's work); the table is emptied before each timing, untimed."
            ],
        )

    def update(self) -> Group:
        from django.db import transaction

        shifted = self.docs[1:] + self.docs[:1]  # each row gets another post

        def make(key: str, label: str) -> Variant:
            m = self.model(key)
            pks: list[int] = []

            def setup() -> None:
                self.fill(key)
                pks[:] = m.objects.order_by("pk").values_list("pk", flat=True)

            def work() -> None:
                with transaction.atomic():
                    for pk, d in zip(pks, shifted, strict=True):
                        m.objects.filter(pk=pk).update(body=d)

            return Variant(key, label, work, setup)

        g = self.group(
            "`QuerySet.update()` per post",
            self.names(PLAIN, HG),
            make,
            [
                "`Model.objects.filter(pk=pk).update(body=html)` for each of the N rows (a "
                "different post than the row holds), in one `transaction.atomic()`; the "
                "table is refilled before each timing, untimed."
            ],
            peer=None,
        )
        g.untimed[NAMES[NH3]] = (
            "not timed: django-nh3 cleans in `pre_save`, which `update()` does not call, so "
            "its `update()` stores the HTML as given: the plain field's work, and unsanitized"
        )
        return g

    # -- reads

    def reads(self) -> list[Group]:
        from htmlguard.django.readcache import cache

        for k in (PLAIN, NH3, HG, HG_RAW):
            if k in self.models.by_key:
                self.fill(k)

        def warm(read: Callable[[Any], object]) -> Callable[[], object]:
            return lambda: read(self.model(HG))

        labels = {
            PLAIN: NAMES[PLAIN],
            NH3: NAMES[NH3],
            HG_COLD: f"{NAMES[HG]}, cache empty",
            HG_WARM: f"{NAMES[HG]}, cache full",
            HG_RAW: f"{NAMES[HG_RAW]}, cache empty",
        }

        def variants(read: Callable[[Any], object]) -> Callable[[str, str], Variant]:
            def make(key: str, label: str) -> Variant:
                table = {HG_COLD: HG, HG_WARM: HG}.get(key, key)
                m = self.model(table)
                setup: Callable[[], object] | None = None
                if key in (HG_COLD, HG_RAW):
                    setup = cache.clear
                elif key == HG_WARM:
                    setup = warm(read)  # reads every row once: the cache holds them all
                return Variant(key, label, lambda: read(m), setup)

            return make

        def objects(m: Any) -> int:
            return sum(len(p.body) for p in m.objects.all())

        def values(m: Any) -> int:
            return sum(len(b) for b in m.objects.values_list("body", flat=True))

        cached = (
            "*cache empty* / *cache full*: the field's read cache "
            "(`htmlguard.django.readcache`: stored text to sanitized output, least recently "
            "used first out, 8 M characters) cleared before the timing, or filled by reading "
            "the table once before it: a first read of each row, and the rows a site reads "
            "again and again."
        )
        raw = (
            f"*{NAMES[HG_RAW]}*: the same N posts stored unsanitized (as by a program that "
            "writes around the ORM): the case the read-path guarantee is for."
        )
        return [
            self.group(
                "iterating `Model.objects.all()`",
                labels,
                variants(objects),
                [
                    "`sum(len(p.body) for p in Model.objects.all())` over the N rows; each "
                    "table was written through its own field.",
                    cached,
                    raw,
                ],
            ),
            self.group(
                '`values_list("body", flat=True)`',
                labels,
                variants(values),
                [
                    '`sum(len(b) for b in Model.objects.values_list("body", flat=True))`: '
                    "`from_db_value` runs here too, and no model instances are built, so the "
                    "field's own cost is a larger share.",
                    cached,
                    raw,
                ],
            ),
        ]

    # -- templates

    def filters(self) -> Group:
        from django.template import engines

        engine = engines["django"]
        self.fill(PLAIN)
        rows = list(self.model(PLAIN).objects.order_by("pk"))  # unsanitized bodies
        #: key -> (template library, the body's expression)
        sources = {PLAIN: ("", "p.body"), NH3: ("nh3_tags", "p.body|nh3")}
        sources[HG] = ("htmlguard", "p.body|sanitize")

        def make(key: str, label: str) -> Variant:
            template = engine.from_string(page_template(*sources[key]))
            return Variant(key, label, lambda: len(template.render({"posts": rows})))

        return self.group(
            "template filters",
            {
                PLAIN: "`{{ p.body }}` (autoescaped: the markup shown as text)",
                NH3: "django-nh3 `{{ p.body|nh3 }}`",
                HG: "htmlguard `{{ p.body|sanitize }}`",
            },
            make,
            [
                "`Template.render({'posts': rows})` of "
                "`{% for p in posts %}{{ p.body|FILTER }}{% endfor %}`; `rows` are the N "
                "plain-field model instances, fetched once before (unsanitized bodies). "
                '`|sanitize` uses `HTMLGUARD_DEFAULT_POLICY = "ugc"`, `|nh3` the `NH3_*` '
                "settings (the same allowlist)."
            ],
        )

    def page(self) -> Group:
        """A list page: query the N posts and render their bodies as HTML."""
        from django.template import engines

        from htmlguard.django.readcache import cache

        engine = engines["django"]
        for k in (PLAIN, NH3, HG):
            if k in self.models.by_key:
                self.fill(k)
        #: key -> (model, template library, the body's expression, django-nh3's counterpart)
        ways = {
            PLAIN: (PLAIN, "", "p.body", NH3),
            "nh3-filter": (PLAIN, "nh3_tags", "p.body|nh3", "nh3-filter"),
            "hg-filter": (PLAIN, "htmlguard", "p.body|sanitize", "nh3-filter"),
            NH3: (NH3, "", "p.body", NH3),
            HG_COLD: (HG, "", "p.body", NH3),
            HG_WARM: (HG, "", "p.body", NH3),
        }

        def make(key: str, label: str) -> Variant:
            model, library, expression, versus = ways[key]
            m = self.model(model)
            template = engine.from_string(page_template(library, expression))
            work = lambda: len(template.render({"posts": m.objects.all()}))  # noqa: E731
            setup = {HG_COLD: cache.clear, HG_WARM: work}.get(key)
            return Variant(key, label, work, setup, versus=versus)

        return self.group(
            "a page: query and render N posts",
            {
                PLAIN: "plain field, `{{ p.body }}` (escaped: the floor)",
                "nh3-filter": "plain field, `{{ p.body|nh3 }}`",
                "hg-filter": "plain field, `{{ p.body|sanitize }}`",
                NH3: "`Nh3TextField`, `{{ p.body }}` (no work on read)",
                HG_COLD: "`SanitizedTextField`, `{{ p.body }}` (sanitized on read), read cache "
                "empty",
                HG_WARM: "`SanitizedTextField`, `{{ p.body }}`, read cache full",
            },
            make,
            [
                "`Template.render({'posts': Model.objects.all()})`: the query, the model "
                "instances and the template, as a list view does. *time / django-nh3* "
                "compares each filter row with django-nh3's filter row and each field row "
                "with django-nh3's field row."
            ],
        )

    # -- the engines alone

    def engines(self) -> Group:
        import htmlguard as hg

        policy = hg.Policy.preset("ugc")
        self.fill(HG)
        stored = [
            str.__str__(s)  # plain str, as the database gives them
            for s in self.model(HG).objects.order_by("pk").values_list("body", flat=True)
        ]

        def make(key: str, label: str) -> Variant:
            if key == "hg-posts":
                return Variant(key, label, lambda: [policy.sanitize(d) for d in self.docs])
            if key == "hg-stored":
                return Variant(key, label, lambda: [policy.sanitize(d) for d in stored])
            import nh3
            from django_nh3.utils import get_nh3_default_options

            options = get_nh3_default_options()
            return Variant(key, label, lambda: [nh3.clean(d, **options) for d in self.docs])

        return self.group(
            "the engines alone (no ORM)",
            {
                "hg-posts": "htmlguard `Policy.sanitize`, the posts",
                "hg-stored": "htmlguard `Policy.sanitize`, the stored (already clean) values",
                "nh3-posts": "`nh3.clean(html, **options)` with django-nh3's options, the posts",
            },
            make,
            [
                "A loop over the same N strings, as the fields and filters call the engines: "
                "what the rows above add beyond this is Django's and the integration's own "
                "work. (django-nh3 calls `nh3.clean` with its options on every value, so nh3 "
                "builds its sanitizer every call; htmlguard's policy is compiled once.)"
            ],
            peer="nh3-posts",
        )

    def read_pieces(self) -> Group:
        """What ``SanitizedTextField.from_db_value`` does per value, piece by piece."""
        from django.conf import settings

        from htmlguard.django.conf import resolve_policy
        from htmlguard.django.html import SanitizedHTML
        from htmlguard.django.readcache import cache

        self.fill(HG)
        body = self.model(HG)._meta.get_field("body")
        stored = [
            str.__str__(s)  # plain str, as the database gives them
            for s in self.model(HG).objects.order_by("pk").values_list("body", flat=True)
        ]
        policy = resolve_policy("ugc")
        from_db = lambda s: body.from_db_value(s, None, None)  # noqa: E731
        pieces: dict[str, Callable[[str], object]] = {
            "from_db_value": from_db,
            "from_db_value-warm": from_db,
            "engine": policy.sanitize,
            "resolve": lambda s: resolve_policy("ugc"),
            "setting": lambda s: getattr(settings, "HTMLGUARD_POLICIES", None),
            "wrap": lambda s: SanitizedHTML(s, policy),
        }

        def make(key: str, label: str) -> Variant:
            piece = pieces[key]
            work = lambda: [piece(s) for s in stored]  # noqa: E731
            setup = {"from_db_value": cache.clear, "from_db_value-warm": work}.get(key)
            return Variant(key, label, work, setup)

        return self.group(
            "the read path piece by piece (no ORM)",
            {
                "from_db_value": "`SanitizedTextField.from_db_value(value, ...)`, read cache "
                "empty: all of it",
                "from_db_value-warm": "`SanitizedTextField.from_db_value(value, ...)`, read "
                "cache full: a lookup instead of the engine",
                "engine": "the engine: `Policy.sanitize(value)`",
                "resolve": '`resolve_policy("ugc")`: the field\'s policy, looked up per value',
                "setting": 'for scale: one `getattr(settings, "HTMLGUARD_POLICIES", None)`, '
                "unset (`resolve_policy` keeps what it read until a setting changes)",
                "wrap": "`SanitizedHTML(output, policy)`: the safe-string wrapper",
            },
            make,
            [
                "A loop over the N stored (already sanitized) values. Here *time / floor* is "
                "each piece's share of `from_db_value` with the read cache empty (cleared "
                "before the timing); what the pieces leave of it is the calls between them "
                "and the cache's lookup and insertion. The benchmark's settings leave "
                "`HTMLGUARD_POLICIES` unset, as a project using only the presets does."
            ],
            peer=None,
        )


# --- checks on what was stored ---------------------------------------------------------------

RISKY = ("<script", " onclick=", " onmouseover=")


def stored_facts(b: Bench) -> list[str]:
    """Per table, after it is filled: the stored bytes per row, and the rows with active
    content stored and read back through the field."""
    out = []
    for key in (PLAIN, NH3, HG, HG_RAW):
        if key not in b.models.by_key:
            out.append(f"| {NAMES[key]} | {NOT_INSTALLED} | | |")
            continue
        b.fill(key)
        m = b.model(key)
        with b.connection.cursor() as cur:
            cur.execute(f'SELECT body FROM "{b.models.table(key)}"')
            stored = [r[0] for r in cur.fetchall()]
        read = list(m.objects.values_list("body", flat=True))
        size = statistics.mean(len(x.encode("utf-8")) for x in stored)
        risky = [sum(1 for x in xs if any(r in x for r in RISKY)) for xs in (stored, read)]
        out.append(f"| {NAMES[key]} | {size:,.0f} | {risky[0]} | {risky[1]} |")
    return out


# --- the report ------------------------------------------------------------------------------


def versions() -> str:
    out = [f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}"]
    for dist in ("htmlguard", "django", "django-nh3", "nh3", "markdown-it-py"):
        try:
            out.append(f"{dist} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            where = " (imported from the source tree)" if dist == "htmlguard" else ""
            out.append(f"{dist} not installed{where}")
    return ", ".join(out)


def table(g: Group, rows: int) -> Iterator[str]:
    """One group's section: its notes, the table, and what was not timed."""
    yield f"### {g.title[0].upper()}{g.title[1:]}"
    yield ""
    for note in g.notes:
        yield note
        yield ""
    head = "| variant | µs/row | rows/s | time / floor | range | added µs/row |"
    sep = "|---|--:|--:|--:|--:|--:|"
    if g.peer is not None:
        head += " time / django-nh3 |"
        sep += "--:|"
    yield head
    yield sep
    for v in g.variants:
        t = statistics.median(g.times[v.key])
        line = f"| {v.label} | {t / rows * 1e6:,.1f} | {rows / t:,.0f} |"
        if v.key == g.floor:
            line += " 1.00 | — | — |"
        else:
            r = g.ratios(v.key, g.floor)
            added = statistics.median(g.differences(v.key, g.floor)) / rows * 1e6
            line += f" {statistics.median(r):.2f} | {min(r):.2f}–{max(r):.2f} | {added:+,.1f} |"
        if g.peer is not None:
            versus = v.versus or g.peer
            if versus not in g.times:
                line += " — |"
            elif versus == v.key:
                line += " 1.00 |"
            else:
                line += f" {statistics.median(g.ratios(v.key, versus)):.2f} |"
        yield line
    for label in g.untimed:
        yield f"| {label} |" + " — |" * (6 if g.peer is not None else 5)
    yield ""
    for label, why in g.untimed.items():
        yield f"{label}: {why}."
        yield ""
    kept = len(g.times[g.floor])
    yield f"{kept} rounds" + (f" kept, {g.retaken} retaken." if g.retaken else ".")
    yield ""


def render(
    groups: dict[str, list[Group]],
    facts: list[str],
    b: Bench,
    args: argparse.Namespace,
    distinct: int,
    started: str,
    elapsed: float,
    load: tuple[str, str],
) -> str:
    from run import machine

    m = machine()
    mean_bytes = statistics.mean(len(d.encode("utf-8")) for d in b.docs)
    this_run = shlex.join(["python", "bench/django_fields.py", *args.argv])
    lines = [
        "# Django model fields and template filters: htmlguard beside django-nh3",
        "",
        "Written by `bench/django_fields.py` (`./scripts/bench` runs it after `bench/run.py` "
        "and `bench/middleware.py`); do not edit by hand. Rerun: `./scripts/bench`, or "
        f"`python bench/django_fields.py [--quick]`. This run: `{this_run}`"
        + (" (a smoke test: too few rows and rounds to quote)" if args.quick else "")
        + ".",
        "",
        "## Machine and versions",
        "",
        f"- Date (UTC): {started}; the run took {elapsed / 60:.1f} min.",
        f"- Machine: {m['cpu']}, {m['cores']} cores, {m['ram']} RAM; {m['os']}; work tree "
        f"{m['source']}. Load average (`/proc/loadavg`) {load[0]} before, {load[1]} after.",
        f"- Versions: {versions()}.",
        "- Database: SQLite in a temporary file (Django's `sqlite3` backend, its default "
        "pragmas), `DEBUG = False`; one table per field.",
        f"- Posts: N = {b.rows:,} rows of {mean_bytes:,.0f} bytes on average: the "
        f"{distinct} documents of {POST_BYTES[0]:,}-{POST_BYTES[1]:,} UTF-8 bytes among the "
        f"realistic corpus's first {args.generate} (`bench/corpora.py`: rendered Markdown "
        "with inline styles, some `onclick`s and `<script>`s), cycled, each row made "
        "distinct by a last paragraph `<p>Post i.</p>` (no row's read is served by another's "
        "entry in the field's read cache).",
        '- Policy: htmlguard\'s `ugc` preset (`policy="ugc"` on the field, '
        "`HTMLGUARD_DEFAULT_POLICY` for the filter); django-nh3 gets the same allowlist "
        f"through its `NH3_*` settings, except: {'; '.join(NH3_DEVIATIONS)}.",
        "- Timing: this process's CPU time (`time.process_time`; SQLite runs in the process, "
        "so its work counts; waiting for the disk or for a core does not). Each group runs "
        f"its variants in {args.rounds} interleaved rounds (each variant once a round, the "
        "order rotated from round to round, each warmed up once before), or at least "
        f"{MIN_ROUNDS} once {args.budget:g} s have passed; a round during which other "
        f"processes used over {measure.NOISY_SHARE:.0%} of a core is taken again, at most "
        f"{args.rounds // 3} times a group. *µs/row* and *rows/s* are from the median round. "
        "The first row of each table is its floor; "
        "*time / floor* and *time / django-nh3* are medians of the per-round ratios of "
        "times (above 1: slower), *range* the lowest and highest per-round ratio to the "
        "floor, *added µs/row* the median per-round difference to the floor, per row.",
        "",
        "## What was stored",
        "",
        "Each table once filled with the N posts (through its field; the raw table by SQL). "
        "*Risky* rows contain `<script`, ` onclick=` or ` onmouseover=`.",
        "",
        "| table | stored bytes/row | risky rows stored | risky rows read through the field |",
        "|---|--:|--:|--:|",
        *facts,
        "",
    ]
    for section, gs in groups.items():
        lines += [f"## {section}", ""]
        for g in gs:
            lines += list(table(g, b.rows))
    return "\n".join(lines).rstrip() + "\n"


# --- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="few rows and rounds (a smoke test)")
    ap.add_argument("--rows", type=int, help="posts per table (default 1000; --quick 40)")
    ap.add_argument("--rounds", type=int, help="rounds per group (default 15; --quick 2)")
    ap.add_argument(
        "--budget",
        type=float,
        help=f"seconds after which a group stops at {MIN_ROUNDS} rounds (default 60)",
    )
    ap.add_argument(
        "--generate",
        type=int,
        help="realistic documents to draw the posts from (default 400; --quick 150)",
    )
    ap.add_argument("--out", type=Path, default=BENCH / "DJANGO.md")
    ap.add_argument(
        "--requirements",
        action="store_true",
        help="print the packages this benchmark needs, one a line, and exit",
    )
    args = ap.parse_args(argv)
    args.argv = sys.argv[1:] if argv is None else argv
    if args.requirements:
        print("\n".join(REQUIREMENTS))
        return 0
    args.rows = args.rows or (40 if args.quick else 1000)
    args.rounds = args.rounds or (2 if args.quick else 15)
    args.budget = args.budget or (10.0 if args.quick else 60.0)
    args.generate = args.generate or (150 if args.quick else 400)

    try:
        import django  # noqa: F401

        import htmlguard  # noqa: F401
    except ImportError as e:
        log(f"cannot run: {e}; install htmlguard with the bench extra ({' '.join(REQUIREMENTS)})")
        return 1
    try:
        import django_nh3  # noqa: F401

        with_nh3 = True
    except ImportError:
        log("django-nh3 is not installed: its rows are left out")
        with_nh3 = False

    from run import loadavg

    t0 = time.perf_counter()
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    load_before = loadavg()
    docs, distinct = posts(args.rows, args.generate)
    with tempfile.TemporaryDirectory(prefix="htmlguard-djbench-") as tmp:
        configure(Path(tmp) / "bench.sqlite3", with_nh3)
        b = Bench(docs, define_models(with_nh3), with_nh3)
        facts = stored_facts(b)
        plan: dict[str, list[Callable[[], Group | list[Group]]]] = {
            "Writes": [b.bulk_create, b.save, b.update],
            "Reads": [b.reads],
            "Templates": [b.filters, b.page],
            "Reference": [b.engines, b.read_pieces],
        }
        groups: dict[str, list[Group]] = {}
        for section, makers in plan.items():
            for make in makers:
                made = make()
                for g in made if isinstance(made, list) else [made]:
                    log(f"{section}: {g.title}")
                    run_group(g, args.rounds, args.budget)
                    groups.setdefault(section, []).append(g)
        from django.db import connection

        connection.close()
        text = render(
            groups,
            facts,
            b,
            args,
            distinct,
            started,
            time.perf_counter() - t0,
            (load_before, loadavg()),
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    log(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
