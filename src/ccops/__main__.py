"""`python -m ccops` runs the command line."""

from ccops.cli import main

main()
