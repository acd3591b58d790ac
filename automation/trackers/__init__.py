"""Trackers: where issues live (GitLab, or Markdown files for local rehearsals)."""
