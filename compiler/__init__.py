"""polc: a compiler for Chinese policy-as-code (.pol) files."""

__version__ = "0.1.0"
