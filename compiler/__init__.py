"""polc: a compiler for Chinese policy-as-code (.pol) files."""

import os as _os

__version__ = "0.1.0"

# Installed, grammar/ and stdlib/ are subpackages of this one (see pyproject.toml). In a
# source checkout they sit beside it, so let ``compiler.grammar`` find them there too.
_root = _os.path.dirname(_os.path.dirname(_os.path.abspath(__file__)))
if not _os.path.isdir(_os.path.join(__path__[0], "grammar")) and _os.path.isfile(_os.path.join(_root, "grammar", "polc.lark")):
    __path__.append(_root)
