"""``pip install 'htmlguard[django]'`` brings everything the app needs: in a fresh venv with
only the wheel and that extra, a project using the fields, the filter, the checks, the
middleware on a multipart body and the command's progress bar works."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROJECT = textwrap.dedent(
    """
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=True,
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "htmlguard.django"],
        MIDDLEWARE=["htmlguard.django.middleware.HTMLGuardMiddleware"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
        HTMLGUARD_POLICIES={"bio": {"tags": ["b"]}},
        HTMLGUARD_FIELDS={"bio": "bio"},
    )
    django.setup()

    import tqdm  # the command's progress bar
    from django.core.management import call_command
    from django.http import JsonResponse
    from django.template import Context, Template
    from django.test import Client
    from django.urls import path
    from django.views.decorators.csrf import csrf_exempt

    from htmlguard.django.forms import SanitizedHTMLField
    from htmlguard.django.models import SanitizedTextField

    @csrf_exempt
    def echo(request):
        upload = request.FILES["f"].read()
        return JsonResponse({"bio": request.POST["bio"], "f": upload.hex()})

    urlpatterns = [path("echo", echo)]

    call_command("check")
    answer = Client().post(
        "/echo", {"bio": "<b>x</b><i>y</i>", "f": __import__("io").BytesIO(b"<i>\\x00")}
    ).json()
    assert answer == {"bio": "<b>x</b>y", "f": b"<i>\\x00".hex()}, answer
    assert SanitizedHTMLField(policy="bio").clean("<b>a</b><u>b</u>") == "<b>a</b>b"
    assert SanitizedTextField(policy="bio").policy == "bio"
    template = Template('{% load htmlguard %}{{ v|sanitize:"bio" }}')
    html = template.render(Context({"v": "<b>1</b><p>2"}))
    assert html == "<b>1</b>2", html
    print("ok", django.get_version(), tqdm.__version__)
    """
)


@pytest.mark.slow
def test_the_django_extra_brings_everything(tmp_path: Path) -> None:
    wheels = sorted((ROOT / "dist").glob("htmlguard-*.whl"))
    if not wheels:
        pytest.skip("no wheel in dist/: ./scripts/wheel builds it (./scripts/test does)")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", f"{wheels[-1]}[django]"],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr
    script = tmp_path / "project.py"
    script.write_text(PROJECT)
    run = subprocess.run(
        [str(python), str(script)], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.splitlines()[-1].startswith("ok "), run.stdout
