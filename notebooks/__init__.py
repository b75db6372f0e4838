"""The authored lessons (``NN_name.ipynb``) and the workshop dashboard (``present/``), shipped as
package data: ``importlib.resources.files("iaptlab.lessons")``. See :mod:`iaptlab.lesson_files`."""
