"""The lessons' explorers: each module defines ``CONTROLS`` and a pure ``compute(...)``.

An explorer's ``compute`` takes its precomputed inputs (a cohort, a dataset) and the control
values and returns a :class:`iaptlab.widgets.Result`; :func:`iaptlab.widgets.show` turns it
into labelled sliders, a chart, a small table and one sentence.
"""
