"""GDPR rights of the people a municipality serves, and the tenant's records of processing.

* Subject access (art. 15): one JSON document of everything core and every module hold on a
  person, or the same as a readable page.
* Erasure (art. 17): every plugin's erase hook in one transaction; refused (409, nothing
  changed) while records must be kept by law, unless the administrator accepts that those
  records stay and the rest goes (art. 17(3)(b)).
* Storage limitation (art. 5(1)(e)): retention policies per record type and tenant, applied
  by `merimna retention run` (a dry run unless `--apply`).
* Records of processing (art. 30): what each enabled area processes, why, and for how long.
"""
