"""Benchmarks of FitCoach against a bare relay bot, on the loopback fakes of Telegram and OpenAI.

``python -m bench`` (or ``make bench``) prints a table and writes ``bench/results.json``.
"""
