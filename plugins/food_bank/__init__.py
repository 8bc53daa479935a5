"""Food, clothing and toy bank (Τράπεζα τροφίμων, ένδυσης και παιχνιδιών).

Stock with lots and expiry, donations, eligibility and distributions.
"""
