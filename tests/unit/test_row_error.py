from domain.imports.rows import row_error
from domain.register.errors import HouseholdCodeTaken


def test_a_conflict_names_its_column():
    error = row_error(3, HouseholdCodeTaken(loc=("code",)))
    assert (error.line, error.column, error.code) == (3, "code", HouseholdCodeTaken.code)
