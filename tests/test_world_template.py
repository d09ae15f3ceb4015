"""The per-test world is a copy of a template built once per session: it must be the world
``make_world`` builds, in a database file of the test's own."""

from dataclasses import replace

from conftest import PEOPLE, copy_world, make_world


def test_a_copied_world_is_the_world_make_world_builds(tmp_path, world_template):
    built = make_world(tmp_path / "built.db")
    copied = copy_world(world_template, tmp_path / "copied.db")
    try:
        for name in (*PEOPLE, "person", "company"):  # the same people and parties, but for their generated ids
            assert getattr(copied, name) == replace(getattr(built, name), id=getattr(copied, name).id)
        assert copied.clock() == built.clock()
        kinds = "SELECT stream LIKE 'officer/%', kind, count(*) FROM event GROUP BY 1, 2 ORDER BY 1, 2"
        assert copied.services.db.execute(kinds).fetchall() == built.services.db.execute(kinds).fetchall()
        assert copied.services.verify().ok
    finally:
        built.services.close()
        copied.services.close()


def test_each_test_gets_its_own_file(world, tmp_path, world_template):
    assert world.services.path == tmp_path / "cases.db"
    assert world.services.path != world_template.path
