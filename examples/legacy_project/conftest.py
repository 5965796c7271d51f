# The project's folder on sys.path for its tests, as the 2017 projects' own conftest files did.
