"""The one compiled part: the DTW's inner loops (``src/subtitler/align/_dtw.c``, Python
headers only). Everything else about the package is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("subtitler.align._dtw", ["src/subtitler/align/_dtw.c"], extra_compile_args=["-O3"]),
    ]
)
