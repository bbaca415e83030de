"""Alignment benchmark: synthetic videos with known word timings, a scorer and a runner.

``generate.py`` narrates transcripts with espeak-ng and mixes them into test videos,
``score.py`` compares a WebVTT file with the ground truth, ``run_alignment.py`` runs
``subtitler build`` (and aeneas-ng) on every case and prints the table.
"""
