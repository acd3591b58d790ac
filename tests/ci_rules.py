"""Which jobs of a `.gitlab-ci.yml` a pipeline runs: GitLab's `rules:` as its documentation
describes them (the first rule whose `if:` holds decides; `when: never` keeps the job out; no
rule holding keeps it out), with the `if:` expressions the pipelines use: `$VAR` (set and not
empty), `==`, `!=`, `=~ /regex/`, `&&`, `||` and parentheses. `changes:` is taken as met.

And which of them start once others failed: a job waits for the jobs its `needs:` names (without
`needs:`, for every job of the earlier stages); `on_success` starts only if none of those failed,
`always` whatever they did, `manual` only when someone starts it. A job that needs a job the
pipeline does not run makes GitLab refuse the whole pipeline: a ValueError here."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

_TOKEN = re.compile(r'\s*(\$\w+|"[^"]*"|\'[^\']*\'|/(?:\\.|[^/])*/|==|!=|=~|&&|\|\||\(|\)|null)')


def runs(pipeline: Mapping[str, Any], variables: Mapping[str, str]) -> dict[str, str]:
    """The jobs that run, each with its `when` (`on_success` or `manual`)."""
    chosen: dict[str, str] = {}
    for name, job in pipeline.items():
        if name.startswith(".") or not isinstance(job, dict) or "script" not in job:
            continue
        rules = job.get("rules") or pipeline.get(job.get("extends", ""), {}).get("rules")
        when = _decide(rules, variables) if rules is not None else "on_success"
        if when != "never":
            chosen[name] = when
    return chosen


def starts(pipeline: Mapping[str, Any], variables: Mapping[str, str], failed: set[str]) -> set[str]:
    """The jobs of the pipeline that start on their own when the jobs in FAILED fail (and every
    other job that runs passes)."""
    chosen = runs(pipeline, variables)
    stages = list(pipeline.get("stages", ["build", "test", "deploy"]))

    def stage(name: str) -> int:
        return stages.index(pipeline[name].get("stage", "test"))

    started = set()
    for name, when in chosen.items():
        needs = pipeline[name].get("needs")
        if needs is None:
            before = {other for other in chosen if stage(other) < stage(name)}
        else:
            before = {need if isinstance(need, str) else need["job"] for need in needs}
            if before - set(chosen):  # GitLab creates no pipeline ("needs:optional" aside)
                raise ValueError(f"{name} needs {sorted(before - set(chosen))}, not in it")
        if when == "always" or (when == "on_success" and not before & failed):
            started.add(name)
    return started


def _decide(rules: list[dict[str, Any]], variables: Mapping[str, str]) -> str:
    for rule in rules:
        if "if" not in rule or holds(rule["if"], variables):
            return str(rule.get("when", "on_success"))
    return "never"


def holds(expression: str, variables: Mapping[str, str]) -> bool:
    """Whether an `if:` expression holds for these CI/CD variables."""
    tokens = _tokens(expression)
    value = _Parser(tokens, variables).either()
    return bool(value)


def _tokens(expression: str) -> list[str]:
    tokens, at = [], 0
    while at < len(expression.rstrip()):
        found = _TOKEN.match(expression, at)
        if found is None:
            raise ValueError(f"cannot read {expression[at:]!r}")
        tokens.append(found.group(1))
        at = found.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], variables: Mapping[str, str]) -> None:
        self.tokens, self.variables = tokens, variables

    def _next(self) -> str:
        return self.tokens.pop(0)

    def either(self) -> object:
        return self._chain("||", self.both, lambda left, right: left or right)

    def both(self) -> object:
        return self._chain("&&", self.compared, lambda left, right: left and right)

    def _chain(
        self, operator: str, operand: Callable[[], object], join: Callable[[object, object], object]
    ) -> object:
        """OPERAND, then OPERATOR and another OPERAND as long as there are (each side read
        whatever the value, so the tokens are used up in order)."""
        value = operand()
        while self.tokens and self.tokens[0] == operator:
            self._next()
            value = join(value, operand())
        return value

    def compared(self) -> object:
        left = self.operand()
        if self.tokens and self.tokens[0] in ("==", "!=", "=~"):
            operator, right = self._next(), self.operand()
            if operator == "=~":
                pattern = str(right)
                return left is not None and re.search(pattern[1:-1], str(left)) is not None
            return (left == right) == (operator == "==")
        return left

    def operand(self) -> object:
        token = self._next()
        if token == "(":
            value = self.either()
            self._next()  # ")"
            return value
        if token.startswith("$"):  # a variable set but empty is not null (gitlab#327711)
            return self.variables.get(token[1:])
        if token == "null":
            return None
        return token[1:-1] if token[0] in "\"'" else token
