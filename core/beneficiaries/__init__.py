"""The beneficiary registry (ωφελούμενοι): people, households, categories, search, merging.

What other areas and modules use (the lead re-exports it in `core.api`):

* `services.person_exists(person_id)`, `services.get_person(person_id)`,
  `services.person_ref(person_id)`: read a person of the current tenant.
* `services.household_composition(person_id=..., household_id=..., on=...)` and the pure
  `composition.compose(members, on)` -> `composition.HouseholdComposition`.
* `identifiers.*`: AMKA, AFM, Personal Number, ID documents, IBAN, phone, postcode.
* `core.text`: `fold`, `elot743`, `phonetic_key`, `normalise_id`.
"""
