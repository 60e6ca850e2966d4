import pytest

# The shared test matrix lives in a helper module; let pytest explain its failed asserts.
pytest.register_assert_rewrite("tests.core.viewtests")
