"""Assist: dispatch suggestions (classifier over closed tickets); later duplicates and hotspots."""
