"""`python -m automation` runs the same command as `automation`."""

from automation.cli import main

main()
