"""The first minutes of a newcomer: init, the catalogue, a check."""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(__file__))
from harness import run  # noqa: E402


def test_init_is_safe_to_run_twice(env):
    env.ok("init")
    env.ok("init")
    cat = env.ok("catalogue", "show", "--json").json()
    assert cat["id"] == "shunan-2023"
    assert len(cat["requirements"]) == 28 and len(cat["risks"]) == 12


def test_commands_other_than_init_refuse_a_missing_database(env):
    r = env.run("request", "list")
    assert r.code == 3, r
    assert r.err.startswith("extsvc: ") and "init" in r.err, r
    assert not os.path.exists(env.db)


run(globals())
