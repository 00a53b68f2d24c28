"""Wanghua District digital-governance platform."""
