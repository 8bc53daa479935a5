"""The Food, clothing and toy bank module as data."""

from core.api import Manifest
from plugins.food_bank.settings import Settings

MANIFEST = Manifest(
    slug="food_bank",
    title_el="Τράπεζα τροφίμων, ένδυσης και παιχνιδιών",
    title_en="Food, clothing and toy bank",
    version="0.1.0",
    settings_model=Settings,
)
