"""The generated properties and the solver understand the value constructs of tests/policies/values.pol:
every property is encoded (proved, not skipped) for the policy and for its generated module."""

from __future__ import annotations

import pytest

from compiler.targets.properties import propcheck as pc
from compiler.targets.python.build import source_text
from compiler.targets.properties.propgen import load_properties
from compiler.targets.smt.verify import verify_program
from evalkit import POLICIES, checked

P = POLICIES / "values.pol"


@pytest.fixture(autouse=True)
def few_examples(monkeypatch):
    monkeypatch.setenv("POLC_EXAMPLES", "40")


def test_solver_proves_every_property_of_the_value_constructs():
    program = checked(P).program
    props = verify_program(program, str(P))
    assert props, "no property generated"
    assert [(p.label, p.text, p.status, p.detail) for p in props if p.status != "proved"] == []
    module_props = verify_program(program, str(P), module_source=source_text(program))
    assert [(p.label, p.text, p.status) for p in module_props if p.status != "proved"] == []
    assert len(module_props) == len(props)


def test_generated_properties_pass():
    module = load_properties(str(P))
    try:
        failed = [name for name, *_ in module.PROPERTIES if not pc.run_property(module, name).passed]
    finally:
        pc._BOUND.pop((module.POLICY["file"], module.POLICY["rules"]), None)
    assert failed == []
