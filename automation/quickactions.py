"""The quick-action words GitLab knows (its documentation's list, aliases included, through
GitLab 17, checked against the command definitions in GitLab's source, lib/gitlab/quick_actions
and its EE part, retired aliases kept for the servers that still run them): a fact table, read
by exposure.py (GitLab 16's line-based extractor takes a known command's whole line, and a
backtick on it then opens nothing; an unknown word's line it reads on) and by the tests' fake
GitLab."""

from __future__ import annotations

_NAMES = """
add_contacts approve assign assign_reviewer award cc child_epic clear_health_status
clear_weight clone close confidential copy_metadata create_merge_request done draft due
duplicate epic estimate estimate_time health_status invite_email iteration label labels
lock link merge milestone move parent_epic promote promote_to_incident page publish ready
reassign reassign_reviewer rebase relabel relate remove_child_epic remove_contacts
remove_due_date remove_epic remove_estimate remove_iteration remove_milestone
remove_parent_epic remove_time_spent reopen shrug spend submit_review subscribe tableflip
target_branch timeline title todo unapprove unassign unassign_reviewer unlabel unlock
unsubscribe weight zoom remove_zoom request_review reviewer
blocks blocked_by unlink set_parent remove_parent add_child remove_child status type react
spent remove_email checkin_reminder
remove_label remove_labels severity board_move add_email convert_to_ticket promote_to
spend_time remove_time_estimate request_changes remove_reviewer wip tag
"""
QUICK_ACTION_NAMES = frozenset(_NAMES.split())
