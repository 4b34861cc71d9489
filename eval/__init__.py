"""Measuring quality and speed: benchmark and evaluation scripts."""
