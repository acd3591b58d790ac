"""`python -m automation` runs the same command as `automation`."""

from automation.entry import main

main()
