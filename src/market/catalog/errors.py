"""Expected failures of the catalog, named as facts."""

from __future__ import annotations

from market.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound


class ProviderNotFound(NotFound):
    reason = "ProviderNotFound"
    message = "No provider with this id exists."


class CourseNotFound(NotFound):
    reason = "CourseNotFound"
    message = "No course with this id exists."


class LocationNotFound(NotFound):
    reason = "LocationNotFound"
    message = "No location with this id exists."


class IntakeNotFound(NotFound):
    reason = "IntakeNotFound"
    message = "No intake with this id exists."


class NotProviderStaff(Forbidden):
    reason = "NotProviderStaff"
    message = "Only this provider's staff may change its catalog."


class NotAProviderOrganisation(InvalidInput):
    reason = "NotAProviderOrganisation"
    message = "Only organisations of kind provider can have a provider profile."


class ProviderProfileExists(Conflict):
    reason = "ProviderProfileExists"
    message = "This organisation already has a provider profile."


class TextRequired(InvalidInput):
    reason = "TextRequired"
    message = "This text may not be empty."


class TextTooLong(InvalidInput):
    reason = "TextTooLong"
    message = "At most {max} characters."

    def __init__(self, limit: int, *, field: str) -> None:
        super().__init__(field=field, max=limit)


class ValueOutOfRange(InvalidInput):
    reason = "ValueOutOfRange"
    message = "Must be between {min} and {max}."

    def __init__(self, low: int, high: int, *, field: str) -> None:
        super().__init__(field=field, min=low, max=high)


class TooManyItems(InvalidInput):
    reason = "TooManyItems"
    message = "At most {max} items."

    def __init__(self, limit: int, *, field: str) -> None:
        super().__init__(field=field, max=limit)


class DuplicateItems(InvalidInput):
    reason = "DuplicateItems"
    message = "Each value may appear only once."


class ItemsRequired(InvalidInput):
    reason = "ItemsRequired"
    message = "Give at least one value."


class InvalidWebsite(InvalidInput):
    reason = "InvalidWebsite"
    message = "A website is an http(s) address, e.g. https://example.nl."


class InvalidLanguageCode(InvalidInput):
    reason = "InvalidLanguageCode"
    message = "Support languages are ISO 639 codes from the platform's list, e.g. ar, en, ti."


class InvalidCertificationNumber(InvalidInput):
    reason = "InvalidCertificationNumber"
    message = "A certification number has 1 to 40 letters, digits, dots, slashes or dashes."


class CertificationPeriodInvalid(InvalidInput):
    reason = "CertificationPeriodInvalid"
    message = "A certification is valid from a date up to a later date."


class CertificationIncomplete(InvalidInput):
    reason = "CertificationIncomplete"
    message = "A certification needs a number, a valid-from and a valid-until date to be verified."


class DiplomaRecognitionNotClaimed(InvalidInput):
    reason = "DiplomaRecognitionNotClaimed"
    message = "The provider has not claimed an Onderwijsroute diploma recognition."


class StreamRequired(InvalidInput):
    reason = "StreamRequired"
    message = "An Onderwijsroute course leads to MBO, HBO or WO: choose a stream."


class StreamNotAllowed(InvalidInput):
    reason = "StreamNotAllowed"
    message = "Only Onderwijsroute courses have a stream."


class HoursInconsistent(InvalidInput):
    reason = "HoursInconsistent"
    message = "Language hours and hours per week cannot exceed the total lesson hours."


class ZRouteNeedsLanguageHours(InvalidInput):
    reason = "ZRouteNeedsLanguageHours"
    message = "A Z-route course has at least {min} hours of language lessons."

    def __init__(self, minimum: int) -> None:
        super().__init__(field="languageHours", min=minimum)


class ProviderNotCertified(Conflict):
    reason = "ProviderNotCertified"
    message = (
        "Only providers with a verified, currently valid Blik op Werk mark may offer Z-route "
        "courses."
    )


class ProviderLacksDiplomaRecognition(Conflict):
    reason = "ProviderLacksDiplomaRecognition"
    message = "Only providers with a verified diploma recognition may offer Onderwijsroute courses."


class CourseArchived(Conflict):
    reason = "CourseArchived"
    message = "This course is archived and can no longer be changed."


class CoordinatesOutsideNetherlands(InvalidInput):
    reason = "CoordinatesOutsideNetherlands"
    message = "These coordinates lie outside the Netherlands."


class CoordinatesIncomplete(InvalidInput):
    reason = "CoordinatesIncomplete"
    message = "Give both latitude and longitude, or neither."


class LocationRequired(InvalidInput):
    reason = "LocationRequired"
    message = "Classroom and blended courses start at a location."


class LocationNotAllowed(InvalidInput):
    reason = "LocationNotAllowed"
    message = "Online courses have no location."


class FormatTiedToIntakes(Conflict):
    reason = "FormatTiedToIntakes"
    message = (
        "This course has intakes: they are taught online or at a location, so it can no "
        "longer move between online and classroom. Create a new course instead."
    )


class LocationOfAnotherProvider(InvalidInput):
    reason = "LocationOfAnotherProvider"
    message = "This location belongs to another provider."


class TooManyLocations(Conflict):
    reason = "TooManyLocations"
    message = "A provider has at most {max} locations."

    def __init__(self, limit: int) -> None:
        super().__init__(max=limit)


class TooManyIntakes(Conflict):
    reason = "TooManyIntakes"
    message = "A course has at most {max} upcoming intakes."

    def __init__(self, limit: int) -> None:
        super().__init__(max=limit)


class StartDateOrContinuous(InvalidInput):
    reason = "StartDateOrContinuous"
    message = "An intake has either a start date or continuous intake, not both or neither."


class StartDateInPast(InvalidInput):
    reason = "StartDateInPast"
    message = "The start date lies in the past."


class InvalidWeeklySchedule(InvalidInput):
    reason = "InvalidWeeklySchedule"
    message = "Each lesson slot ends after it starts, and slots on one day do not overlap."


class CapacityBelowSeatsTaken(Conflict):
    reason = "CapacityBelowSeatsTaken"
    message = "The seat capacity cannot drop below the seats already taken."


class ComparedCourseCount(InvalidInput):
    reason = "ComparedCourseCount"
    message = "Compare {min} to {max} courses."

    def __init__(self, low: int, high: int) -> None:
        super().__init__(field="ids", min=low, max=high)


class UnknownPostcodeArea(InvalidInput):
    """A postcode typed to measure distances from, whose area is not known: a typing
    mistake by the learner rather than a missing resource."""

    reason = "UnknownPostcodeArea"

    message = "This postcode area is not known."
