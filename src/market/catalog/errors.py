"""Expected failures of the catalog, named as facts."""

from __future__ import annotations

from market.kernel.errors import Conflict, InvalidInput, NotFound


class ProviderNotFound(NotFound):
    message = "No provider with this id exists."


class CourseNotFound(NotFound):
    message = "No course with this id exists."


class LocationNotFound(NotFound):
    message = "No location with this id exists."


class IntakeNotFound(NotFound):
    message = "No intake with this id exists."


class OrganisationNotFound(NotFound):
    message = "No organisation with this id exists."


class NotAProviderOrganisation(InvalidInput):
    message = "Only organisations of kind provider can have a provider profile."


class ProviderProfileExists(Conflict):
    message = "This organisation already has a provider profile."


class TextRequired(InvalidInput):
    message = "This text may not be empty."


class TextTooLong(InvalidInput):
    def __init__(self, limit: int, *, field: str) -> None:
        super().__init__(f"At most {limit} characters.", field=field)


class ValueOutOfRange(InvalidInput):
    def __init__(self, low: int, high: int, *, field: str) -> None:
        super().__init__(f"Must be between {low} and {high}.", field=field)


class TooManyItems(InvalidInput):
    def __init__(self, limit: int, *, field: str) -> None:
        super().__init__(f"At most {limit} items.", field=field)


class DuplicateItems(InvalidInput):
    message = "Each value may appear only once."


class ItemsRequired(InvalidInput):
    message = "Give at least one value."


class InvalidWebsite(InvalidInput):
    message = "A website is an http(s) address, e.g. https://example.nl."


class InvalidLanguageCode(InvalidInput):
    message = "Languages are ISO 639 codes of two or three letters, e.g. ar, en, ti."


class InvalidCertificationNumber(InvalidInput):
    message = "A certification number has 1 to 40 letters, digits, dots, slashes or dashes."


class CertificationPeriodInvalid(InvalidInput):
    message = "A certification is valid from a date up to a later date."


class CertificationIncomplete(InvalidInput):
    message = "A certification needs a number, a valid-from and a valid-until date to be verified."


class DiplomaRecognitionNotClaimed(InvalidInput):
    message = "The provider has not claimed an Onderwijsroute diploma recognition."


class StreamRequired(InvalidInput):
    message = "An Onderwijsroute course leads to MBO, HBO or WO: choose a stream."


class StreamNotAllowed(InvalidInput):
    message = "Only Onderwijsroute courses have a stream."


class HoursInconsistent(InvalidInput):
    message = "Language hours and hours per week cannot exceed the total lesson hours."


class ZRouteNeedsLanguageHours(InvalidInput):
    def __init__(self, minimum: int) -> None:
        super().__init__(
            f"A Z-route course has at least {minimum} hours of language lessons.",
            field="languageHours",
        )


class ProviderNotCertified(Conflict):
    message = (
        "Only providers with a verified, currently valid Blik op Werk mark may offer Z-route "
        "courses."
    )


class ProviderLacksDiplomaRecognition(Conflict):
    message = "Only providers with a verified diploma recognition may offer Onderwijsroute courses."


class CourseArchived(Conflict):
    message = "This course is archived and can no longer be changed."


class CoordinatesOutsideNetherlands(InvalidInput):
    message = "These coordinates lie outside the Netherlands."


class CoordinatesIncomplete(InvalidInput):
    message = "Give both latitude and longitude, or neither."


class LocationRequired(InvalidInput):
    message = "Classroom and blended courses start at a location."


class LocationNotAllowed(InvalidInput):
    message = "Online courses have no location."


class FormatTiedToIntakes(Conflict):
    message = (
        "This course has intakes: they are taught online or at a location, so it can no "
        "longer move between online and classroom. Create a new course instead."
    )


class LocationOfAnotherProvider(InvalidInput):
    message = "This location belongs to another provider."


class TooManyLocations(Conflict):
    def __init__(self, limit: int) -> None:
        super().__init__(f"A provider has at most {limit} locations.")


class TooManyIntakes(Conflict):
    def __init__(self, limit: int) -> None:
        super().__init__(f"A course has at most {limit} upcoming intakes.")


class StartDateOrContinuous(InvalidInput):
    message = "An intake has either a start date or continuous intake, not both or neither."


class StartDateInPast(InvalidInput):
    message = "The start date lies in the past."


class InvalidWeeklySchedule(InvalidInput):
    message = "Each lesson slot ends after it starts, and slots on one day do not overlap."


class CapacityBelowSeatsTaken(Conflict):
    message = "The seat capacity cannot drop below the seats already taken."


class ComparedCourseCount(InvalidInput):
    def __init__(self, low: int, high: int) -> None:
        super().__init__(f"Compare {low} to {high} courses.", field="ids")


class UnknownPostcodeArea(InvalidInput):
    """A postcode typed to measure distances from, whose area is not known: a typing
    mistake by the learner rather than a missing resource."""

    message = "This postcode area is not known."
