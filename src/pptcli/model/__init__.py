"""Typed, frozen models of every file ppt reads."""
