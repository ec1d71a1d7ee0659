"""Allow `python -m {{ cookiecutter.package_name }}`, the image's entry point."""

from .cli import main

raise SystemExit(main())
