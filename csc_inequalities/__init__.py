"""Children's social care inequalities explorer: pure computation shared by the app and the CLI."""

__version__ = "0.1.0"
