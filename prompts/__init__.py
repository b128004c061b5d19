"""Prompt templates, one `*.md` file per prompt.

A package (not just a folder) so the templates ship inside the wheel as package
data: a plain `pip install .` must answer with the LLM outside the source tree.
"""
