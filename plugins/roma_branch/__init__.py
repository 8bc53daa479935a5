"""Community Centre Roma branch (Παράρτημα Ρομά Κέντρου Κοινότητας).

Reception, accompaniment, benefit applications, job bank, school follow-up, ESF indicators.
"""
