"""Reminders: a note on an issue whose chosen tasks are still open on a day the program's file
names (or one weekly digest note in the tracking issue), sent once per issue and occasion."""
