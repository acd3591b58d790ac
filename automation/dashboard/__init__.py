"""The dashboard: a static site of every program's progress, read from the issues, never written."""
