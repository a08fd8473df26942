from market.kernel.errors import InvalidInput, NotFound


class MalformedPostcode(InvalidInput):
    reason = "MalformedPostcode"
    message = "A Dutch postcode has four digits and two letters, e.g. 1011 AB (or just 1011)."


class UnknownPostcode(NotFound):
    reason = "UnknownPostcode"
    message = "This postcode area is not known."


class UnknownMunicipality(NotFound):
    reason = "UnknownMunicipality"
    message = "No municipality has this CBS code."


class UnknownRegion(NotFound):
    reason = "UnknownRegion"
    message = "No labour-market region has this code."
