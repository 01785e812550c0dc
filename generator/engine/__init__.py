"""Building: the pipeline, its stages, the run, the preview's memory and the no-change shortcut."""
