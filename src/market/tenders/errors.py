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


# -- tenders ------------------------------------------------------------------------------


class TenderNotFound(NotFound):
    reason = "TenderNotFound"
    message = "No tender with this id exists."


class TenderNotDraft(Conflict):
    reason = "TenderNotDraft"
    message = (
        "This tender is no longer a draft: after publication it changes only by a versioned "
        "correction sent to every party."
    )


class TransitionNotAllowed(Conflict):
    reason = "TransitionNotAllowed"
    message = "A {kind} cannot go from {current} to {target}."


class LotsRequired(InvalidInput):
    reason = "LotsRequired"
    message = "A tender has at least one lot."


class LevelRequired(InvalidInput):
    reason = "LevelRequired"
    message = "A B1- or Z-route lot has a target level."


class LevelNotAllowed(InvalidInput):
    reason = "LevelNotAllowed"
    message = "An Onderwijsroute lot has a stream (MBO, HBO or WO), not a level."


class UnknownRegionCode(InvalidInput):
    reason = "UnknownRegionCode"
    message = "{code} is no labour-market region code (AM01 to AM35)."


class VolumeForNonMember(InvalidInput):
    reason = "VolumeForNonMember"
    message = "Only the coalition's member municipalities have estimated volumes."


class NegativeFigure(InvalidInput):
    reason = "NegativeFigure"
    message = "Must be zero or more."


class FigureNotPositive(InvalidInput):
    reason = "FigureNotPositive"
    message = "Must be more than zero."


class RequirementAmountRequired(InvalidInput):
    reason = "RequirementAmountRequired"
    message = "A {kind} requirement states its number."


class RequirementAmountNotExpected(InvalidInput):
    reason = "RequirementAmountNotExpected"
    message = "A {kind} requirement has no number."


class RequirementTextNotExpected(InvalidInput):
    reason = "RequirementTextNotExpected"
    message = "Only a CUSTOM requirement has a text of its own."


class CriteriaRequired(InvalidInput):
    reason = "CriteriaRequired"
    message = "A tender has at least one quality criterion."


class CriteriaWeightsNotWhole(InvalidInput):
    reason = "CriteriaWeightsNotWhole"
    message = (
        "The quality criteria's weights add up to {total} basis points; they must add up "
        "to 10000 (100%)."
    )


class AwardWeightsRequired(InvalidInput):
    reason = "AwardWeightsRequired"
    message = "The {method} method weighs quality against price: give both weights."


class AwardWeightsNotExpected(InvalidInput):
    reason = "AwardWeightsNotExpected"
    message = "The {method} method has no quality and price weights."


class AwardWeightsNotWhole(InvalidInput):
    reason = "AwardWeightsNotWhole"
    message = (
        "The quality and price weights add up to {total} basis points; they must add up "
        "to 10000 (100%)."
    )


class PriceBoundsRequired(InvalidInput):
    reason = "PriceBoundsRequired"
    message = "The LINEAR_PRICE method scores between published bounds: give both."


class PriceBoundsNotExpected(InvalidInput):
    reason = "PriceBoundsNotExpected"
    message = "Only the LINEAR_PRICE method has price bounds."


class PriceBoundsInverted(InvalidInput):
    reason = "PriceBoundsInverted"
    message = "The lowest price bound must be below the highest."


class CriterionValueRequired(InvalidInput):
    reason = "CriterionValueRequired"
    message = "Under the QUALITY_VALUE method every quality criterion states its value."


class CriterionValueNotExpected(InvalidInput):
    reason = "CriterionValueNotExpected"
    message = "Only under the QUALITY_VALUE method does a quality criterion have a value."


class TimeWithoutZone(InvalidInput):
    reason = "TimeWithoutZone"
    message = "Give the time with its UTC offset, e.g. 2027-03-01T12:00:00+01:00."


class TimelineOutOfOrder(InvalidInput):
    reason = "TimelineOutOfOrder"
    message = "Must come after {after}."


# -- what publication checks ----------------------------------------------------------------


class AnswersTooLate(InvalidInput):
    reason = "AnswersTooLate"
    message = (
        "Answers go to every party at least {days} days before the bid deadline: close "
        "the questions by {latest}."
    )


class MaximumValueRequired(InvalidInput):
    reason = "MaximumValueRequired"
    message = "A framework without a stated maximum is unlawful: give each lot its maximum value."


class LatestEndDateRequired(InvalidInput):
    reason = "LatestEndDateRequired"
    message = "Give the contract's latest end date, extensions included."


class LatestEndDateTooEarly(InvalidInput):
    reason = "LatestEndDateTooEarly"
    message = (
        "The initial term with every extension runs to {earliest}: the latest end date "
        "cannot be earlier."
    )


class DeadlineInPast(InvalidInput):
    reason = "DeadlineInPast"
    message = "The bid deadline has already passed."


# -- what scoring checks --------------------------------------------------------------------


class QualityScoresMismatch(InvalidInput):
    reason = "QualityScoresMismatch"
    message = "A bid has a quality score for each criterion of the tender, and for no other."


# -- open data (OCDS) -----------------------------------------------------------------------


class SinceNotRfc3339(InvalidInput):
    reason = "SinceNotRfc3339"
    message = (
        "`since` must be an RFC 3339 date and time with its offset, such as 2027-03-01T09:00:00Z."
    )


# -- bids and their opening -----------------------------------------------------------------
# While bids are sealed, an error about a bid never tells whether others exist: another
# provider's bid is answered exactly as a bid that does not exist.


class NotBidder(Forbidden):
    reason = "NotBidder"
    message = "Only the staff (owners and editors) of a provider organisation may bid."


class ProviderRequired(InvalidInput):
    reason = "ProviderRequired"
    message = "You are staff of several providers: choose the one you bid for."


class LotNotFound(NotFound):
    reason = "LotNotFound"
    message = "No lot with this id exists."


class BidNotFound(NotFound):
    reason = "BidNotFound"
    message = "No bid with this id exists."


class LotNotOpenForBids(Conflict):
    reason = "LotNotOpenForBids"
    message = "This lot takes no bids: its tender is not published, or the lot is closed."


class BidDeadlinePassed(Conflict):
    reason = "BidDeadlinePassed"
    message = "The bid deadline has passed: bids can no longer be submitted or withdrawn."


class BidNotLive(Conflict):
    reason = "BidNotLive"
    message = "This bid was already withdrawn or replaced by a later one."


class AnswerRequired(InvalidInput):
    reason = "AnswerRequired"
    message = "Answer every quality criterion: {criterion} has no answer."


class UnknownCriterion(InvalidInput):
    reason = "UnknownCriterion"
    message = "This is not one of the tender's quality criteria."


class DocumentNotBase64(InvalidInput):
    reason = "DocumentNotBase64"
    message = "A document's content is sent as base64 (RFC 4648, with padding)."


class BidDeadlineNotPassed(Conflict):
    reason = "BidDeadlineNotPassed"
    message = "The bids can be opened only after the bid deadline."


class BidsAlreadyOpened(Conflict):
    reason = "BidsAlreadyOpened"
    message = "The bids of this tender have already been opened."


class OpeningNeedsSecondOfficer(Conflict):
    reason = "OpeningNeedsSecondOfficer"
    message = (
        "You requested this opening: another procurement officer of the lead municipality "
        "opens the bids (four eyes)."
    )


class BidsSealed(Conflict):
    reason = "BidsSealed"
    message = "The bids are sealed until two procurement officers of the lead have opened them."


# -- publication, cancellation, retries and the audit trail -------------------------------


class IdempotencyKeyReused(Conflict):
    reason = "IdempotencyKeyReused"
    message = "This idempotency key was already used for a different request: use a new key."


class AuditEntryNotFound(NotFound):
    reason = "AuditEntryNotFound"
    message = "The tender's audit trail has no entry with this number."


# -- questions and the nota van inlichtingen ------------------------------------------------


class NotAProvider(Forbidden):
    reason = "NotAProvider"
    message = "Only a provider's staff may ask questions on a tender."


class AskingProviderRequired(InvalidInput):
    reason = "AskingProviderRequired"
    message = "You are staff of several providers: choose the one you ask for."


class LotNotInTender(NotFound):
    reason = "LotNotInTender"
    message = "This tender has no such lot."


class QuestionsClosed(Conflict):
    reason = "QuestionsClosed"
    message = "Questions on this tender are closed: they could be asked until {deadline}."


class QuestionNotFound(NotFound):
    reason = "QuestionNotFound"
    message = "No question with this id exists."


class QuestionAlreadyAnswered(Conflict):
    reason = "QuestionAlreadyAnswered"
    message = "This question has been answered; a published answer does not change."


class AnswersWindowClosed(Conflict):
    reason = "AnswersWindowClosed"
    message = (
        "Answers reach every party at least {days} days before the bid deadline, so by "
        "{latest}: that has passed. Extend the bid deadline by a correction first."
    )


class NothingNewToPublish(Conflict):
    reason = "NothingNewToPublish"
    message = "Every answered question is already in a nota van inlichtingen."


class TenderClosed(Conflict):
    reason = "TenderClosed"
    message = "This tender is {state}: the time for questions and answers is over."


# -- corrections after publication --------------------------------------------------------


class CorrectionReasonRequired(InvalidInput):
    reason = "CorrectionReasonRequired"
    message = (
        "This tender is published: it changes only by a versioned correction, sent to every "
        "party. Give the correction's reason."
    )


class DraftNeedsNoCorrection(InvalidInput):
    reason = "DraftNeedsNoCorrection"
    message = (
        "This tender is still a draft: it changes without a correction, so without a "
        "correction reason."
    )


class CorrectionAfterBidDeadline(Conflict):
    reason = "CorrectionAfterBidDeadline"
    message = "The bid deadline has passed: the tender can no longer be corrected."


class TenderNotCorrectable(Conflict):
    reason = "TenderNotCorrectable"
    message = "This tender is {state}: only a published tender can be corrected."


class LotCountFixed(InvalidInput):
    reason = "LotCountFixed"
    message = (
        "A correction keeps the tender's {count} lots (bids and questions refer to them): "
        "change them where they stand, or cancel the tender."
    )


class CriteriaCountFixed(InvalidInput):
    reason = "CriteriaCountFixed"
    message = (
        "A correction keeps the tender's {count} quality criteria (bids answer them): "
        "change their names, weights and values where they stand."
    )


class BidDeadlineMovedEarlier(InvalidInput):
    reason = "BidDeadlineMovedEarlier"
    message = "A correction may move the bid deadline later, never earlier than {deadline}."


class QuestionsDeadlinePassed(InvalidInput):
    reason = "QuestionsDeadlinePassed"
    message = "Questions closed at {deadline}: a correction no longer moves that deadline."


# -- re-tendering an unsuccessful lot --------------------------------------------------------


class LotNotUnsuccessful(Conflict):
    reason = "LotNotUnsuccessful"
    message = "Only an unsuccessful lot is re-tendered; this one is {state}."


class LotAlreadyRetendered(Conflict):
    reason = "LotAlreadyRetendered"
    message = "This lot is already being re-tendered (a tender not cancelled buys it again)."


class NothingToCorrect(InvalidInput):
    reason = "NothingToCorrect"
    message = "This correction changes nothing in the tender as published."
