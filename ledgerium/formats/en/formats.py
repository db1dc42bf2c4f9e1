"""Dates as every page shows them: "4 Dec 2026" and "4 Dec 2026, 11:14".

Django always localizes (there is no USE_L10N since 5.0), so the locale's
formats win over the DATE_FORMAT settings; these replace the English ones.
"""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
