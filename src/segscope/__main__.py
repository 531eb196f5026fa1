"""``python -m segscope`` runs the command line."""

from segscope.cli import main

main()
