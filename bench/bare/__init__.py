"""A bare Django project: the floor `bench/http_load.py` compares QMI's pages with."""
