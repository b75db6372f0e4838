"""iaptlab: appraise how a psychological-therapy service measures its own success.

The package is a set of pure functions over one *episode table* (one row per referral). Import the
layer you need, e.g. ``from iaptlab.outcomes import classify, rates, IAPT``; nothing heavy (Altair,
ipywidgets) is imported until a chart or widget is asked for.

>>> import iaptlab
>>> iaptlab.__version__
'0.1.0'
"""

__version__ = "0.1.0"
