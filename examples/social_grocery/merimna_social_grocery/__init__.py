"""A Merimna program module.

Social grocery (Κοινωνικό Παντοπωλείο)
"""
