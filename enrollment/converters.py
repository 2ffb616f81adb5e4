"""The study ID in a URL: only the characters and length a study ID can have.

A study ID is the site's code and a sequence (`enrollment.services.study_id_for`, "CH-0001"),
at most Participant.study_id's 16 characters. Anything else in that place of a URL (a NUL
byte, which the database refuses in a string; 4,000 characters) matches no URL and is a 404
before a view or a query sees it.
"""

from django.urls import register_converter

# Upper-case letters, digits and the hyphen; 16 = Participant.study_id.max_length.
STUDY_ID_PATTERN = "[A-Z0-9][A-Z0-9-]{0,15}"


class StudyIdConverter:
    regex = STUDY_ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# The converter's name in routes: `f"participants/<{STUDY_ID}:study_id>/"`. Registered once,
# when this module is first imported by a urls module.
STUDY_ID = "study_id"
register_converter(StudyIdConverter, STUDY_ID)
