"""Help at Home (Βοήθεια στο Σπίτι).

Home care for older and disabled people who are not fully self-sufficient.
"""
