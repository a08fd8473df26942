"""Expected failures of coalitions and tenders, named as facts."""

from __future__ import annotations

from market.kernel.errors import Conflict, Forbidden, InvalidInput, NotFound

# -- coalitions ---------------------------------------------------------------------------


class CoalitionNotFound(NotFound):
    reason = "CoalitionNotFound"
    message = "No coalition with this id exists."


class NotProcurementOfficer(Forbidden):
    reason = "NotProcurementOfficer"
    message = "Only a municipality's procurement officers may do this."


class MunicipalityRequired(InvalidInput):
    reason = "MunicipalityRequired"
    message = "You are a procurement officer of several municipalities: choose one."


class NotCoalitionLead(Forbidden):
    reason = "NotCoalitionLead"
    message = "Only the procurement officers of the coalition's lead municipality may do this."


class NotAMunicipality(InvalidInput):
    reason = "NotAMunicipality"
    message = "Only municipality organisations can be members of a coalition."


class AlreadyInCoalition(Conflict):
    reason = "AlreadyInCoalition"
    message = "This municipality is already a member of the coalition, or invited to it."


class NoPendingInvitation(Conflict):
    reason = "NoPendingInvitation"
    message = "This municipality has no open invitation to the coalition."
