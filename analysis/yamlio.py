"""The project's own YAML files (strings, catalogue, manifest, registry, specifications) read
with libyaml's C parser when PyYAML was built with it: the same documents, ten times faster
(the string catalogue, which every process that writes a report reads, 10 ms instead of
104 ms). Files a user writes (mappings, target tables) keep the pure-Python parser, whose
error messages the import checks quote."""

from __future__ import annotations

from typing import IO, Any

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: str | bytes | IO) -> Any:
    """`yaml.safe_load`, on the C parser where there is one."""
    return yaml.load(stream, Loader=Loader)  # noqa: S506 - a safe loader
