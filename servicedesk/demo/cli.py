"""``flask demo load`` (to be filled in)."""

from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="Demonstration data.")
