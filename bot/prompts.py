"""Prompt templates live as files in prompts/; this module loads and fills them.

Each template's placeholders are checked against what the caller fills, so a
renamed variable fails loudly in a test instead of sending "{passages}" to
the model. The hash identifies the exact prompt text an answer came from.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources

from bot.errors import ConfigError

# Read through importlib.resources, so the templates are found in a wheel install as well as in a checkout.
PROMPTS_PACKAGE = "prompts"
NOT_COVERED = "NOT_COVERED"


@dataclass(frozen=True)
class Prompt:
    name: str
    template: str

    @property
    def variables(self) -> frozenset[str]:
        return frozenset(field for _text, field, _spec, _conv in string.Formatter().parse(self.template) if field)

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.template.encode("utf-8")).hexdigest()[:12]

    def render(self, **values: str) -> str:
        missing = self.variables - set(values)
        extra = set(values) - self.variables
        if missing or extra:
            raise ConfigError(
                f"prompt {self.name}: missing {sorted(missing)}, unexpected {sorted(extra)}; fix prompts/{self.name}.md"
            )
        return self.template.format(**values).strip()


@cache
def load_prompt(name: str) -> Prompt:
    path = resources.files(PROMPTS_PACKAGE) / f"{name}.md"
    try:
        return Prompt(name, path.read_text(encoding="utf-8"))
    except (OSError, ModuleNotFoundError) as exc:
        raise ConfigError(f"prompt file prompts/{name}.md is missing; reinstall newsdesk or restore it") from exc


SYSTEM = "system"
ANSWER = "answer"
REWRITE = "rewrite"
ALL_PROMPTS = (SYSTEM, ANSWER, REWRITE)
