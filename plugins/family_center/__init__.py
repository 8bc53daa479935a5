"""Family Support Centre (Κέντρο Στήριξης Οικογένειας).

Counselling, groups and child-protection investigations.
"""
