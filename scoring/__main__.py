import sys

from .cli import main
from .console import exit_after

exit_after(main(), sys.argv[1:])
