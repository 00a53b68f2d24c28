"""Declared state machines: every status enum has a table of transitions beside it, and one helper performs them.

A table names, for each step, the states it starts from, the state it leads to, the permission it needs and
the guard that must hold; the audit label is `transition:<machine>.<step>`. `StateMachine.perform` is the only
way a status changes: lock the row (through `visible_to`, so an invisible record is 'not found'), re-check the
permission and the source state under the lock, run the guards, apply the step's own changes, save, audit.

    ERRAND_FLOW = StateMachine("errand", Errand, states=ErrandStatus, steps=ErrandStep, transitions=[
        Transition(ErrandStep.START, (ErrandStatus.ACCEPTED,), ErrandStatus.IN_PROGRESS, "change"),
        ...], terminal={ErrandStatus.VISITED, ...})

    errand = ERRAND_FLOW.perform(actor, errand_id, ErrandStep.START, apply=stamp)

Views and API routes that offer a step say so with `@offers(ERRAND_FLOW, ErrandStep.START)`; a test walks every
table and fails on a non-terminal state with no way out, and on a step that no routed page or API offers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from . import audit
from .access import can, fetch_for_change, require

_View = TypeVar("_View", bound=Callable[..., Any])
_M = TypeVar("_M", bound=models.Model)  # its manager is a VisibilityMixin queryset
Guard = Callable[[Any], None]  # raises ValidationError when the step may not happen
MACHINES: dict[str, StateMachine[Any]] = {}


class TransitionError(ValidationError):
    """A step out of order: the record is not in a state the step starts from."""


@dataclass(frozen=True)
class Transition:
    step: str  # a member of the machine's step enum
    sources: tuple[str, ...]
    target: str
    permission: str = "change"  # an action on the record ("change") or a permission code ("civic.dispatch_case")
    guard: Guard | None = None  # a rule of the table itself, checked under the lock
    system: bool = False  # also (or only) taken by a scheduled job, with no actor


class StateMachine(Generic[_M]):
    """One status field's table. `states` and `steps` are TextChoices; `terminal` states need no way out."""

    def __init__(self, name: str, model: type[_M], *, states: type[models.TextChoices],
                 steps: type[models.TextChoices], transitions: Iterable[Transition], field: str = "status",
                 terminal: Iterable[str] = (), journal: Callable[..., None] | None = None) -> None:
        self.name, self.model, self.field = name, model, field
        self.states, self.steps = states, steps
        self.transitions = list(transitions)
        self.terminal = {str(s) for s in terminal}
        self.journal = journal  # called as journal(obj, transition, actor, note) after the save, when given
        self.offered: set[str] = set()
        self._check_table()
        MACHINES[name] = self

    def _check_table(self) -> None:
        known_states, known_steps = set(self.states.values), set(self.steps.values)
        for t in self.transitions:
            unknown = ({*t.sources, t.target} - known_states) | ({t.step} - known_steps)
            if unknown:
                raise ValueError(f"{self.name}: {t.step} names unknown states or steps {sorted(unknown)}")

    # --- reading the table ----------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Transition]:
        return iter(self.transitions)

    def step(self, step: str, source: str | None = None) -> Transition:
        """The transition of a step (from `source` when one step leaves several states differently)."""
        matches = [t for t in self.transitions if t.step == step and (source is None or source in t.sources)]
        if not matches:
            raise KeyError(f"{self.name} has no step {step!r}" + (f" from {source!r}" if source else ""))
        return matches[0]

    def leaving(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def label(self, step: str) -> str:
        return f"transition:{self.name}.{step}"

    def step_label(self, step: str) -> str:
        return str(self.steps(step).label)

    def state_of(self, obj: models.Model) -> str:
        state: str = getattr(obj, self.field)
        return state

    def available(self, user: Any, obj: models.Model) -> list[Transition]:
        """The steps `user` may take on `obj` now: what a page shows as buttons."""
        state = self.state_of(obj)
        return [t for t in self.leaving(state) if _may(user, t, obj)]

    def may(self, user: Any, obj: models.Model, step: str) -> bool:
        return any(t.step == step and _may(user, t, obj) for t in self.leaving(self.state_of(obj)))

    # --- performing a step ----------------------------------------------------------------------------

    def perform(self, actor: Any, record: int | _M, step: str, *, apply: Guard | None = None,
                guards: Iterable[Guard] = (), note: str = "", save: bool = True) -> _M:
        """Take `step` on the record (its id, or a row the caller already locked in this transaction).

        Order: lock and permission, source state, the table's guard, the caller's guards, `apply` (the step's
        own field changes, which may also refuse), the new state, save and audit. Any refusal raises before
        anything is written."""
        with transaction.atomic():
            obj = self._locked(actor, record)
            transition = self._transition_from(obj, step)
            if actor is not None:  # the permission first: a refused role learns nothing of the record's state
                permission = (transition or self.step(step)).permission
                if not permission:  # a step only scheduled jobs take
                    raise PermissionDenied(_("You do not have permission to do this."))
                require(actor, permission, obj)
            if transition is None:
                raise self._refusal(obj, step)
            for guard in (transition.guard, *guards, apply):
                if guard is not None:
                    guard(obj)
            setattr(obj, self.field, transition.target)
            if save:
                with audit.acting_as(actor), audit.labelled(self.label(step), note):
                    obj.save()
                    if self.journal is not None:
                        self.journal(obj, transition, actor, note)
            return obj

    def perform_as_system(self, record: int | _M, step: str, **kwargs: Any) -> _M:
        """A step a scheduled job takes (escalation, expiry): no actor, only steps marked `system`."""
        if not any(t.system for t in self.transitions if t.step == step):
            raise PermissionError(f"{self.name}.{step} is not a system step")
        return self.perform(None, record, step, **kwargs)

    def _locked(self, actor: Any, record: int | _M) -> _M:
        if isinstance(record, models.Model):
            return record
        if actor is None:
            return self.model._default_manager.select_for_update().get(pk=record)
        # Locked through what the actor may see: an invisible record is 'not found'.
        return fetch_for_change(self.model, actor, "view", record)

    def _transition_from(self, obj: models.Model, step: str) -> Transition | None:
        state = self.state_of(obj)
        return next((t for t in self.transitions if t.step == step and state in t.sources), None)

    def _refusal(self, obj: models.Model, step: str) -> TransitionError:
        display = getattr(obj, f"get_{self.field}_display", lambda: self.state_of(obj))()
        return TransitionError(_("“%(step)s” is not possible while the %(record)s is “%(state)s”.")
                               % {"step": self.step_label(step), "record": self.model._meta.verbose_name,
                                  "state": display})


def _may(user: Any, transition: Transition, obj: models.Model) -> bool:
    return bool(transition.permission) and can(user, transition.permission, obj)


def offers(machine: StateMachine[Any], *steps: str) -> Callable[[_View], _View]:
    """Mark a view or API route as the place where these steps are taken (the state-machine test reads it)."""

    def decorate(view: _View) -> _View:
        marks = set(getattr(view, "offers_steps", set()))
        marks.update((machine.name, str(s)) for s in steps)
        view.offers_steps = marks  # type: ignore[attr-defined]  # read by tests/core/test_state_machines.py
        machine.offered.update(str(s) for s in steps)
        return view

    return decorate


def step_label(label: str) -> str:
    """The audit trail's reading of a label: `transition:errand.start` → 开始办理 (the step's own name)."""
    if label.startswith("transition:"):
        name, _sep, step = label.removeprefix("transition:").partition(".")
        machine = MACHINES.get(name)
        if machine is not None and step in machine.steps.values:
            return machine.step_label(step)
    from .audit import Label

    return str(Label(label).label) if label in Label.values else label


def mermaid(machine: StateMachine[Any]) -> str:
    """The table as a Mermaid state diagram (docs/architecture.md carries one per machine; a test compares)."""
    lines = ["stateDiagram-v2"]
    for t in machine.transitions:
        who = "job" if t.system and not t.permission else t.permission
        for source in t.sources:
            lines.append(f"    {source} --> {t.target}: {t.step} ({who})")
    lines.extend(f"    {state} --> [*]" for state in sorted(machine.terminal))
    return "\n".join(lines)
