"""`python -m evaluation run|leaderboard|compare|submit` (see evaluation/cli.py and README.md)."""
import sys

from .cli import main

sys.exit(main())
