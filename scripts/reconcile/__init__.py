"""Reconcile KB: compare what sources claim."""
