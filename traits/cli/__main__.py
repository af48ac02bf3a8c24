"""``python -m traits.cli``: the ``traits`` command."""

from traits.cli import main

main()
