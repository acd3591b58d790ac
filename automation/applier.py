"""Carry out a plan through a tracker: the only code that writes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import TypeVar, assert_never

from automation.actions import (
    Action,
    AddNote,
    AddToEpic,
    CloseIssue,
    CreateEpic,
    CreateIssue,
    CreateLabel,
    Failure,
    LinkIssues,
    Plan,
    Remind,
    ReopenIssue,
    UpdateAssignees,
    UpdateDescription,
    UpdateDueDate,
    UpdateEpic,
    UpdateLabels,
)
from automation.edits import Edits, apply_edits, kept_differs
from automation.epics import links_full_warning
from automation.errors import (
    STOPS,
    CreationRefused,
    ItemError,
    KeptPublic,
    LinksFull,
    TransientError,
    WriteRefused,
    carry,
    settle,
)
from automation.exposure import exposed, refusal
from automation.items import EpicChange, NewIssue, ObservedEpic, ObservedIssue, check_size
from automation.markers import same_text, sound_block
from automation.mentions import among, people_only, refused_warning
from automation.people import (
    dropped_warning,
    missing,
    one_assignee_warning,
    reassigned,
    replaced_warning,
    same_people,
    unique,
)
from automation.reassigned import restored
from automation.trackers.base import Tracker
from automation.unseen import Found, Unseen, put_back

Listener = Callable[[Action], None]


@dataclass
class Outcome:
    """What a run wrote and what failed."""

    done: list[Action] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


T = TypeVar("T")
# A read and the write made on it that the tracker failed (a 5xx, a lost connection) is done
# again from a new read, this many times in all, after waits of 15 s, 30 s, ...
AFRESH_ATTEMPTS = 3
AFRESH_WAIT = 15.0


class _Skipped(Exception):
    """Nothing to write after all (the text read just before writing was already right)."""


def kept_public(iid: int) -> str:
    """What to know of a confidential program's epic GitLab would not make confidential."""
    return (
        f"epic &{iid} stays public: it holds an issue or epic that is not confidential (one a "
        "person put there); make that confidential, or take it out of the epic, and the next "
        "run makes the epic confidential"
    )


PUT_BACK_ROUNDS = 3  # a put-back's own write is checked too, this many times in all


class _PutOff(Exception):
    """The rest of an item waits for the next run, which sees what changed (said, not failed)."""


@dataclass
class Writer:
    """Performs actions; remembers what it learnt during the run, across its rounds (notes
    seen, GitLab refusing creates)."""

    tracker: Tracker
    noted: dict[tuple[int, str], bool] = field(default_factory=dict)
    refused: str | None = None  # why GitLab stopped accepting issue creates this run
    spam: str | None = None  # why GitLab's spam check stopped accepting text this run
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (program, what)
    epics: dict[str, ObservedEpic] = field(default_factory=dict)  # created this run, by key
    made: dict[int, str] = field(default_factory=dict)  # issues created this run: program
    full: set[int] = field(default_factory=set)  # tracking issues GitLab takes no more links on
    # whom text may mention (people.yml's usernames, lowercased); None: any GitLab user
    roster: frozenset[str] | None = None
    # a write made on a read is being done again after one that may have been saved (again),
    # and the write was a description's (sent): `_afresh`
    again: bool = False
    sent: bool = False
    # the action just performed as GitLab made it (the assignees it kept: on Free, the first)
    made_as: Action | None = None
    # the assignees of the issue being reassigned as read before the write, and as asked for
    had: tuple[str, ...] | None = None
    asked: tuple[str, ...] = ()
    # mentions made inert in the text of the action being performed: said once it is written
    # (a tester's warning said "it was written" of an issue whose create failed, and of a
    # digest left as it was)
    unsaid: list[tuple[str, str]] = field(default_factory=list)

    def settle(self, written: bool) -> None:
        """Say the inert mentions of the action just performed, if it was written."""
        if written:
            self.warnings.extend(w for w in self.unsaid if w not in self.warnings)
        self.unsaid.clear()

    def perform(self, action: Action) -> None:  # noqa: C901, PLR0912 - one flat case per action
        """The one place a plan's action becomes a tracker write."""
        t = self.tracker
        match action:
            case CreateLabel():
                t.create_label(action.spec)
            case CreateIssue():
                self._create(action)
            case UpdateDescription():
                self._describe(action)
            case UpdateLabels():
                t.update_labels(action.iid, action.add, action.remove)
            case UpdateAssignees():
                self._reassign(action)
            case UpdateDueDate():
                self._move_due_date(action)
            case AddNote():
                self._note(action)
            case CloseIssue():
                self._close(action)
            case ReopenIssue():
                t.reopen_issue(action.iid)
            case CreateEpic():
                self.epics[action.key] = t.create_epic(action.epic)
            case AddToEpic():
                if not t.add_to_epic(action.epic_iid, action.issue):
                    raise _Skipped  # in that epic already: nothing changed
            case LinkIssues():
                self._link(action)
            case UpdateEpic():
                self._rename_epic(action)
            case Remind(digest=True):
                self._digest(action)
            case Remind():
                self._remind(action)
            case _:
                assert_never(action)

    def _create(self, action: CreateIssue) -> None:
        if self.refused:
            raise ItemError(f"not created: {self.refused}")
        text = self._people_only(action.program, action.issue.description)
        issue = replace(action.issue, description=text)
        epic = action.epic or self.epics.get(action.home or "")
        try:
            created = self.tracker.create_issue(issue, epic)
        except CreationRefused as error:
            self.refused = str(error)
            raise
        self.made[created.iid] = action.program
        self._kept(action.program, issue, created)
        if created.assignees != action.issue.assignees:
            self.made_as = replace(action, issue=replace(action.issue, assignees=created.assignees))

    def _kept(self, program: str, issue: NewIssue, created: ObservedIssue) -> None:
        """Warn (once per issue) of anyone GitLab did not assign: it leaves out a user who
        cannot read the project's issues, silently. On Free, where the group has no epics, it
        keeps only the first person asked for: worth a warning on a confidential issue alone,
        which the others then cannot read."""
        asked = unique(issue.assignees)
        if not (issue.confidential or self.tracker.epics_available()):
            asked = asked[:1]
        self._dropped(program, created, missing(asked, created.assignees), issue.roles)

    def _dropped(
        self,
        program: str,
        issue: ObservedIssue,
        dropped: list[str],
        roles: Sequence[tuple[str, str]] = (),
    ) -> None:
        """Say once whom GitLab did not assign to ISSUE (as it answered), by their ROLES too.
        On Free, a confidential issue keeps one person: no access given and no assignment by
        hand lets the others read it, so that is what is said."""
        kept, iid = issue.assignees, issue.iid
        if not dropped:
            return
        if issue.confidential and len(kept) == 1 and self.tracker.one_assignee():
            said = (program, one_assignee_warning(f"issue #{iid}", dropped, roles))
        else:
            said = (program, dropped_warning(iid, dropped, kept))
        if said not in self.warnings:
            self.warnings.append(said)

    def _describe(self, action: UpdateDescription) -> None:
        """Read the issue again and make the tool's edits on that text, so a tick or a line
        typed since the run listed it is kept; write only if something is left to change."""
        if not self.describe_and_label(action, None):
            raise _Skipped

    def describe_and_label(self, action: UpdateDescription, labels: UpdateLabels | None) -> bool:
        """The description edits (as `_describe`) and the issue's label changes in one write;
        the labels alone when the description needs nothing after all. True when the
        description was written."""
        edits = self._checked_tasks(action)  # (may look users up: before the read)
        read = self._afresh(lambda: self._write_edits(action.iid, edits, labels))
        if read is not None:
            self._put_back(action.program, action.iid, read)
        return read is not None

    def _put_back(self, program: str, iid: int, read: ObservedIssue | None) -> None:
        """A person's change that the read made just before the write did not show (GitLab
        answered it from a lagging replica, unseen.py): a box the write set back is set as
        they left it, on a new read, whose write is checked in turn; the rest is said. READ:
        the issue as read just before the write."""
        found = Found()
        for _ in range(PUT_BACK_ROUNDS):
            changes = self.tracker.unseen_changes(iid, read) if read else Unseen()
            if not changes.ticks:
                found.add(changes, 0, 0)
                break
            read, missing = self._afresh(partial(self._retick, iid, changes.ticks))
            found.add(changes, len(changes.ticks) - missing if read else 0, missing)
        said = found.warning(iid)
        if said and (program, said) not in self.warnings:
            self.warnings.append((program, said))

    def _retick(
        self, iid: int, ticks: Sequence[tuple[str, bool]]
    ) -> tuple[ObservedIssue | None, int]:
        """Set the boxes of TICKS in the issue as read now: the read, when that was written
        (None: nothing to set), and how many name no one task."""
        fresh = self._fresh(iid)
        text, missing = put_back(fresh.description, ticks)
        if same_text(text, fresh.description):
            return None, missing
        self.sent = True
        self.tracker.update_description(iid, text)
        return fresh, missing

    def _write_edits(
        self, iid: int, edits: Edits, labels: UpdateLabels | None
    ) -> ObservedIssue | None:
        """The edits made on the issue read now: that read, when the description was written."""
        fresh = self._fresh(iid)
        after = apply_edits(fresh.description, edits)
        add, remove = (labels.add, labels.remove) if labels else ((), ())
        if not same_text(after, fresh.description):
            _fits(iid, after)
            self._nothing_set_free(f"issue #{iid}", fresh.description, after)
            self.sent = True
            self.tracker.update_description(iid, after, add, remove)
            return fresh
        if labels:
            self.tracker.update_labels(iid, add, remove)
        # a text that failed, then found done: it landed (its time unknown: nothing to check)
        return fresh if self.again and self.sent else None

    def _afresh(self, step: Callable[[], T]) -> T:
        """STEP, a read and the write made on it, with no wait between them; when the tracker
        fails in a way that may pass (a 5xx, a lost connection), it is done again from a new
        read after a wait, never the old write sent again over what a person did meanwhile.
        A write that landed all the same is then found done, and reported as written (STEP
        reads `again`)."""
        try:
            for attempt in range(1, AFRESH_ATTEMPTS):
                try:
                    with self.tracker.adjacent():
                        return step()
                except TransientError as error:
                    self.tracker.pause(max(AFRESH_WAIT * attempt, error.wait))
                    self.again = self.again or not error.refused  # (a 429 saved nothing)
            with self.tracker.adjacent():
                return step()
        finally:
            self.again = self.sent = False

    def _fresh(self, iid: int) -> ObservedIssue:
        """The issue read again, just before a write made on it."""
        fresh = self.tracker.get_issue(iid)
        if fresh is None:
            raise ItemError(f"issue #{iid} was deleted during the run")
        return fresh

    def _checked_tasks(self, action: UpdateDescription) -> Edits:
        """The edits, with each template task to add and each kept block checked for mentions
        like a new issue."""
        edits = action.edits
        if not edits.tasks and not edits.kept:
            return edits
        checked = tuple(
            t.mended(lambda text: self._people_only(action.program, text)) for t in edits.tasks
        )
        kept = tuple(
            (name, self._people_only(action.program, text))
            for name, text in edits.kept
            if kept_differs(sound_block(action.before, name), text)  # warned only if written
        )
        return replace(edits, tasks=checked, kept=kept)

    def _reassign(self, action: UpdateAssignees) -> None:
        """Read the assignees again and change only the tool's: someone a person assigned
        since the run listed the issue stays."""
        for name in action.add:
            self.tracker.is_user(name)  # looked up before the read, not between it and the write
        self.had = None
        answer = self._give_back(action, self._afresh(lambda: self._assign(action)))
        asked = action.add
        if not answer.confidential and self.tracker.one_assignee():
            asked = tuple(missing(asked, self.asked[1:]))  # Free keeps the first: no news
        self._dropped(action.program, answer, missing(asked, answer.assignees), action.roles)
        self._reassigned(action, answer)

    def _give_back(self, action: UpdateAssignees, answer: ObservedIssue) -> ObservedIssue:
        """After the assignee write (ANSWER: the read it was made on, with what GitLab kept):
        a person's change of them that the read did not show (a lagging replica), which the
        write undid, is made again on a new read (reassigned.py), and said, naming nobody."""
        if answer.updated_at is None or self.had is None or self.tracker.one_assignee():
            return answer  # (Free keeps one assignee: the tool's write takes its place)
        read = self.had
        changes = self.tracker.assignee_changes_since(action.iid, answer.updated_at)
        if changes is None:
            self.warnings.append((action.program, _unchecked(action.iid)))
            return answer
        named = (*action.add, *action.remove)

        def again() -> ObservedIssue | None:
            fresh = self._fresh(action.iid)
            wanted = restored(read, fresh.assignees, changes, named)
            if wanted is None:
                return None
            return replace(fresh, assignees=self.tracker.set_assignees(action.iid, wanted))

        made = self._afresh(again) if changes else None  # (none: no read)
        if made is None:
            return answer
        self.warnings.append((action.program, _given_back(action.iid)))
        return made

    def _reassigned(self, action: UpdateAssignees, answer: ObservedIssue) -> None:
        """The change of people as GitLab made it, from the first read (a try that failed may
        have written it), naming only the people configuration names (a review: someone
        assigned by hand was named in the line); none: skipped. Free's one place taken from
        someone assigned by hand is said, without their name."""
        had, named = self.had or (), (*action.remove, *action.order)
        add, remove = missing(answer.assignees, had), missing(had, answer.assignees)
        unasked = missing(remove, named)  # assigned by hand
        if unasked and self.tracker.one_assignee():
            self.warnings.append((action.program, replaced_warning(action.iid, len(unasked))))
        said = _among(add, named), _among(remove, named)
        if not any(said):
            raise _Skipped  # GitLab kept them as they were (Free: the first person only)
        self.made_as = replace(action, add=said[0], remove=said[1])

    def _assign(self, action: UpdateAssignees) -> ObservedIssue:
        """The issue as it is read, with the assignees GitLab kept."""
        fresh = self._fresh(action.iid)
        wanted = reassigned(fresh.assignees, action.add, action.remove, action.order)
        self.had = fresh.assignees if self.had is None else self.had  # before the first try
        self.asked = wanted
        # on Free, the first person of what a failed try asked for is what it would have left
        kept = wanted[:1] if self.again and self.tracker.one_assignee() else wanted
        if same_people(wanted, fresh.assignees) or same_people(kept, fresh.assignees):
            if self.again:  # the write that failed landed
                return fresh
            raise _Skipped
        return replace(fresh, assignees=self.tracker.set_assignees(action.iid, wanted))

    def _move_due_date(self, action: UpdateDueDate) -> None:
        """Read the issue again and move its due date only if it is still the one the tool
        set: a date a person set since the run listed the issue stays."""
        self._afresh(lambda: self._due(action))

    def _due(self, action: UpdateDueDate) -> None:
        due = self._fresh(action.iid).due_date
        if due == action.after and self.again:  # the write that failed landed
            return
        if due != action.before:
            raise _Skipped
        self.tracker.set_due_date(action.iid, action.after)

    def _rename_epic(self, action: UpdateEpic) -> None:
        """Read the epic again and make the rename on that text (one write: description and
        labels together, and confidential when asked); nothing when it is done already."""
        self._afresh(lambda: self._epic_edits(action))

    def _epic_edits(self, action: UpdateEpic) -> None:
        fresh = self.tracker.get_epic(action.iid)
        if fresh is None:
            raise ItemError(f"epic &{action.iid} was deleted during the run")
        after = apply_edits(fresh.description, action.edits)
        text = None if same_text(after, fresh.description) else after
        if text is not None:
            self._nothing_set_free(f"epic &{action.iid}", fresh.description, text)
        add = tuple(label for label in action.add if label not in fresh.labels)
        remove = tuple(label for label in action.remove if label in fresh.labels)
        secret = True if action.confidential and not fresh.confidential else None
        if text is None and not add and not remove and secret is None:
            if self.again:  # the write that failed landed
                return
            raise _Skipped
        try:
            self.tracker.update_epic(action.iid, EpicChange(text, add, remove, secret))
        except KeptPublic:
            self.warnings.append((action.program, kept_public(action.iid)))
            if text is None and not add and not remove:
                raise _Skipped from None

    def _close(self, action: CloseIssue) -> None:
        if action.unless_note and self._has_note(action.iid, action.unless_note):
            raise _Skipped  # closed before, then reopened by a person: left open
        self._afresh(lambda: self._close_if_still_complete(action))  # no wait in between

    def _close_if_still_complete(self, action: CloseIssue) -> None:
        self._still_as_listed(action.iid, action.as_listed)
        self.tracker.close_issue(action.iid)

    def _note(self, action: AddNote) -> None:
        if action.project is not None:
            self._note_in(action.project, action)
            return
        if self._has_note(action.iid, action.marker):
            raise _Skipped  # posted by an earlier run: never twice
        self._still_as_listed(action.iid, action.as_listed)
        self.tracker.add_note(action.iid, self._people_only(action.program, action.body))
        self.noted[action.iid, action.marker] = True

    def _still_as_listed(self, iid: int, listed: str | None) -> None:
        """Put off an issue's completion (its closing, note and block) when its text is no
        longer what the plan found complete: a person unticked a task, or changed the text,
        after the run listed it. The next run measures it again."""
        if listed is not None and not same_text(self._fresh(iid).description, listed):
            raise _PutOff(
                f"issue #{iid} changed during the run, after it was found complete: it is not "
                "closed or noted as complete in this run; the next run looks at it again"
            )

    def _note_in(self, project: str, action: AddNote) -> None:
        """A note on another project's issue: looked for there first, so it is posted once
        even when a run stopped between the note and its proof."""
        t = self.tracker
        if t.has_note_in(project, action.iid, action.marker):
            raise _Skipped
        t.add_note_in(project, action.iid, self._people_only(action.program, action.body))

    def _remind(self, action: Remind) -> None:
        """Post a reminder once: not on an issue closed (or deleted) since the run listed it,
        nor when its note is there (an earlier run, or this one before a crash)."""
        fresh = self.tracker.get_issue(action.iid)
        if fresh is None or fresh.state != "opened" or self._has_note(action.iid, action.marker):
            raise _Skipped
        self.tracker.add_note(action.iid, self._people_only(action.program, action.body))
        self.noted[action.iid, action.marker] = True

    def _link(self, action: LinkIssues) -> None:
        """Relate an issue to the tracking issue; once GitLab refuses one as one link too many
        (its count includes links to issues the tool cannot see), the tracking issue gets no
        more this run, and that is said once, not failed: nothing can be done about it."""
        if action.iid in self.full:
            raise _Skipped
        try:
            self.tracker.link_issues(action.iid, action.target_iid)
        except LinksFull:
            self.full.add(action.iid)
            self.warnings.append((action.program, links_full_warning(action)))
            raise _Skipped from None

    def _digest(self, action: Remind) -> None:
        """The week's digest: posted once, then edited in place when what is due changed."""
        text = self._people_only(action.program, action.body)
        if action.note is not None:  # an earlier week's, quieted: the note it was read from
            self.tracker.update_note(action.iid, action.note, text)
            return
        note = self.tracker.find_note(action.iid, action.marker)
        if note is None or not note.own:  # a replaced token's user's: this token posts its own
            self.tracker.add_note(action.iid, text)
        elif not same_text(note.body, text):
            self.tracker.update_note(action.iid, note.id, text)
        else:
            raise _Skipped

    def _nothing_set_free(self, where: str, before: str, after: str) -> None:
        """The write would have GitLab run none of a person's lines that it did not run when
        they wrote them (see exposure.py); ItemError otherwise, and the issue or epic (WHERE)
        is left as it is."""
        found = exposed(before, after, among(self.roster, self.tracker.is_user))
        if found is not None:
            raise ItemError(refusal(where, found))

    def _people_only(self, program: str, text: str) -> str:
        """TEXT with a mention of anyone but the roster's people GitLab knows made inert (a
        template could join a value to a mention, or take the invisible space out of one)."""
        text, refused = people_only(text, among(self.roster, self.tracker.is_user))
        said = [(program, refused_warning(name)) for name in sorted(refused)]
        self.unsaid.extend(w for w in said if w not in self.unsaid)
        return text

    def _has_note(self, iid: int, marker: str) -> bool:
        if (iid, marker) not in self.noted:
            self.noted[iid, marker] = self.tracker.has_note(iid, marker)
        return self.noted[iid, marker]


def _given_back(iid: int) -> str:
    return (
        f"issue #{iid}: someone changed its assignees a moment before the run wrote them, and "
        "GitLab answered the run's read without that change (a database replica behind); the "
        "run made their change again: look at the issue's assignees"
    )


def _unchecked(iid: int) -> str:
    return (
        f"issue #{iid}: after changing its assignees, the run could not read its notes, so a "
        "change a person made a moment before may have been undone: look at its assignees"
    )


def execute(
    plan: Plan, tracker: Tracker, on_done: Listener = lambda _: None, writer: Writer | None = None
) -> Outcome:
    """Perform every action in order; a failed item is recorded and the others go on (an item
    the plan already failed is never written)."""
    outcome = Outcome(failures=list(plan.failures))
    failed: set[str] = {failure.key for failure in plan.failures}
    writer = writer or Writer(tracker)
    try:
        _each(plan, on_done, writer, outcome, failed)
    except STOPS as stop:  # the run stops: it says what had failed by then
        carry(stop, outcome.failures)
        settle(stop, {a.key for a in outcome.done} - {f.key for f in outcome.failures})
        raise
    return outcome


def _each(
    plan: Plan, on_done: Listener, writer: Writer, outcome: Outcome, failed: set[str]
) -> None:
    """Perform the plan's actions in order, into OUTCOME (see execute)."""
    for action, labels in _paired(plan.actions):
        if action.key in failed:
            continue
        try:
            _check_labels(labels or action, failed)
            _check_spam(writer, action)
            done = _perform(writer, action, labels)
        except WriteRefused as error:  # the spam check: no more text this run
            writer.settle(written=False)
            writer.spam = writer.spam or str(error)
            failed.add(action.key)
            outcome.failures.append(Failure(action.program, action.key, str(error), action.iid))
            continue
        except ItemError as error:
            writer.settle(written=False)
            failed.add(action.key)
            outcome.failures.append(Failure(action.program, action.key, str(error), action.iid))
            continue
        except _PutOff as later:
            writer.settle(written=False)
            failed.add(action.key)  # nothing more for it in this run
            writer.warnings.append((action.program, str(later)))
            continue
        writer.settle(written=bool(done) and type(done[0]) is type(action))
        outcome.done.extend(done)
        for each in done:
            on_done(each)


_TEXT = (CreateIssue, UpdateDescription, AddNote, Remind, CreateEpic, UpdateEpic)


def _check_spam(writer: Writer, action: Action) -> None:
    """Send no more text once GitLab's spam check refused some this run: each refusal is
    logged as a spam attempt of the token's user (an adapter review: every update of an
    issue it refused was sent again, hour after hour)."""
    if writer.spam is not None and isinstance(action, _TEXT):
        raise ItemError("not written: GitLab's spam check refused an earlier write this run")


def _paired(actions: Sequence[Action]) -> Iterator[tuple[Action, UpdateLabels | None]]:
    """Each action, with the label changes that follow an issue's description update (the
    planner puts them next to each other), to be made in the same write."""
    held: UpdateDescription | None = None
    for action in actions:
        if held is not None and isinstance(action, UpdateLabels) and action.iid == held.iid:
            yield held, action
            held = None
            continue
        if held is not None:
            yield held, None
            held = None
        if isinstance(action, UpdateDescription):
            held = action
        else:
            yield action, None
    if held is not None:
        yield held, None


def _fits(iid: int, description: str) -> None:
    """An issue the tool's changes would take past GitLab's size limit (a person's pasted
    text, say) is not written, and the item's failure says what to shorten."""
    check_size(
        description,
        f"issue #{iid}: with the tool's changes its description would be",
        "shorten the text people wrote in it, or the template if it is the template's",
    )


def _perform(writer: Writer, action: Action, labels: UpdateLabels | None) -> list[Action]:
    """Perform an action (with its label changes); the actions actually written."""
    if isinstance(action, UpdateDescription) and labels is not None:
        described = writer.describe_and_label(action, labels)
        return [action, labels] if described else [labels]
    writer.made_as = None
    try:
        writer.perform(action)
    except _Skipped:
        return []
    # as GitLab made it, the line too (an operations trial: on Free it said "assigned to"
    # three people, of whom GitLab had kept the first)
    return [writer.made_as or action]


def _check_labels(action: Action, failed: set[str]) -> None:
    """Never name a label that could not be created: GitLab would make a bare one."""
    missing = _labels_of(action) & {k.removeprefix("label:") for k in failed}
    if missing:
        raise ItemError(
            f"skipped: label {', '.join(sorted(missing))} could not be "
            "created, and GitLab would make a bare project label instead"
        )


def _labels_of(action: Action) -> set[str]:
    """Labels an action puts on an issue."""
    match action:
        case CreateIssue():
            return set(action.issue.labels)
        case UpdateLabels() | UpdateEpic():
            return set(action.add)
        case (
            CreateLabel()
            | UpdateDescription()
            | UpdateAssignees()
            | UpdateDueDate()
            | AddNote()
            | CloseIssue()
            | ReopenIssue()
            | CreateEpic()
            | AddToEpic()
            | LinkIssues()
            | Remind()
        ):
            return set()
        case _:
            assert_never(action)


def _among(names: Sequence[str], named: Sequence[str]) -> tuple[str, ...]:
    """NAMES that are among NAMED (case aside)."""
    return tuple(name for name in names if not missing([name], named))
