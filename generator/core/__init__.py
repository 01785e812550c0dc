"""Foundations every other part uses: errors, the data model and units, YAML/JSON reading, paths, clocks and
zones, caches and output folders."""
