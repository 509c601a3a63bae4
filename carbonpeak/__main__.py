"""`python -m carbonpeak` is the `carbonpeak` command."""

import sys

from carbonpeak.cli import main

sys.exit(main())
