"""A plain wheel install (not `-e`) answers with the LLM outside the source tree.

`pip install .` once left prompts/ out of the package, so `ask` failed with
"prompt file … is missing" everywhere but in a checkout. This builds the wheel,
installs it into a fresh venv that borrows only the third-party packages of the
running environment, and asks from an empty folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from tests.conftest import CHURKIN_QUOTE, REPO, SEED_DIR
from tests.fakes.openai_server import serve_openai

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False)


def test_wheel_install_answers_with_the_llm_outside_the_source_tree(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
        tmp_path,
        dict(os.environ),
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("newsdesk-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path, {}
        ).stdout.strip()
    )
    # Third-party packages come from the running environment through a plain path line: .pth files
    # there (such as the editable install of this checkout) are not processed, so `bot` and
    # `prompts` can only come from the wheel.
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    installed = _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
        tmp_path,
        dict(os.environ),
    )
    assert installed.returncode == 0, installed.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([str(python), "-c", "import bot, prompts; print(bot.__file__, prompts.__file__)"], elsewhere, {})
    assert where.returncode == 0, where.stderr
    assert all(path.startswith(str(site)) for path in where.stdout.split()), where.stdout

    env = {
        "PATH": f"{env_dir / 'bin'}:{os.environ.get('PATH', '')}",
        "HOME": str(tmp_path),
        "NEWSDESK_DATA_DIR": str(elsewhere / "store"),
        "HF_HUB_OFFLINE": "1",
    }
    newsdesk = str(env_dir / "bin" / "newsdesk")
    ingested = _run([newsdesk, "ingest", str(SEED_DIR)], elsewhere, env)
    assert ingested.returncode == 0, ingested.stderr
    with serve_openai() as fake:
        fake.script(f'Vitaly Churkin told reporters that "{CHURKIN_QUOTE}" [1]')
        asked = _run(
            [newsdesk, "ask", "What is Russia's attitude to sanctions against Syria?", "--json"],
            elsewhere,
            {**env, "OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": fake.base_url, "NEWSDESK_LLM_MAX_RETRIES": "0"},
        )
        assert asked.returncode == 0, asked.stderr
        answer = json.loads(asked.stdout)
        assert fake.chat_requests, "the installed package never called the LLM"
    assert answer["mode"] == "llm"
    assert CHURKIN_QUOTE.rstrip(".") in answer["answer"]
    assert answer["citations"][0]["title"] == "Russia digs in its heels against Syria intervention"
